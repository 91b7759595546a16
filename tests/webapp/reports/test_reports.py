"""Question reports: once per learner and item, escaped, rate-limited; instructors answer; the authors' list."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from course import Course
from tests.webapp.helpers import signup, teacher_and_class
from webapp.platform.db import get_session
from webapp.platform.models import QuestionReport

SCRIPT = "<script>alert(1)</script>"


def item(app: Flask) -> str:
    return str(app.extensions["bank"].questions[0].id)


def test_report_once_and_see_the_reply(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    item_id = item(app)
    form = client.get(f"/report/{item_id}")
    assert form.status_code == 200 and b"Send report" in form.data
    assert client.post(f"/report/{item_id}", data={"comment": "no reason"}).status_code == 400
    sent = client.post(f"/report/{item_id}", data={"reason": "wrong-key", "comment": SCRIPT}, follow_redirects=True)
    assert b"Thank you" in sent.data and SCRIPT.encode() not in sent.data and b"&lt;script&gt;" in sent.data
    client.post(f"/report/{item_id}", data={"reason": "typo", "comment": "again"})
    with app.app_context():
        assert len(get_session().scalars(select(QuestionReport)).all()) == 1
    assert client.get("/report/no-such-item").status_code == 404
    client.post("/logout")

    client.post("/login", data={"email": "teach@example.com", "password": "correct horse battery"})
    page = client.get(f"/instructor/classes/{class_id}/reports")
    assert page.status_code == 200 and b"The marked answer is wrong" in page.data and SCRIPT.encode() not in page.data
    with app.app_context():
        report_id = get_session().scalar(select(QuestionReport.id))
    assert client.post(f"/instructor/classes/{class_id}/reports/{report_id}", data={"status": "resolved"}).status_code == 302
    with app.app_context():
        assert get_session().scalar(select(QuestionReport.status)) == "open"  # no reply: not handled
    client.post(f"/instructor/classes/{class_id}/reports/{report_id}", data={"status": "resolved", "reply": "Fixed, thanks."})
    assert client.post(f"/instructor/classes/{class_id + 5}/reports/{report_id}", data={"status": "resolved", "reply": "x"}).status_code == 404
    client.post("/logout")
    client.post("/login", data={"email": "stu@example.com", "password": "correct horse battery"})
    mine = client.get("/report/mine")
    assert b"Resolved" in mine.data and b"Fixed, thanks." in mine.data


def test_reports_are_rate_limited(app_config: dict[str, Any], make_app: Callable[..., Flask]) -> None:
    app = make_app(dict(app_config, RATELIMIT_ENABLED=True))
    client = app.test_client()
    signup(client)
    codes = [client.post(f"/report/{q.id}", data={"reason": "typo"}).status_code for q in app.extensions["bank"].questions[:12]]
    assert codes[:10] == [302] * 10 and codes[10] == 429


def test_cli_lists_open_reports_with_source_lines(app: Flask, client: FlaskClient, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch, course: Course,
                                                  make_app: Callable[..., Flask]) -> None:
    signup(client)
    bank = app.extensions["bank"]
    authored = next(q for q in bank.questions if q.origin == "authored")
    generated = next(q for q in bank.questions if q.origin == "generated")
    client.post(f"/report/{authored.id}", data={"reason": "typo", "comment": "line one\nline two"})
    client.post(f"/report/{generated.id}", data={"reason": "unclear"})
    from commands import main
    from webapp.tools import reports_cli as cli

    monkeypatch.setattr(cli, "create_app", lambda: make_app({"DATABASE_URL": app.config["DATABASE_URL"], "SECRET_KEY": "x", "COURSE": course}))
    out = tmp_path / "reports.txt"
    result = app.test_cli_runner().invoke(main, ["reports", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    heads = [line for line in lines if not line.startswith(" ")]
    assert len(heads) == 2 and heads == sorted(heads, key=lambda line: line.split(": ")[1])
    path, line = course.locations[authored.id].rsplit(":", 1)
    assert any(h.startswith(f"{path}:{line}: {authored.id}: 1 open report") for h in heads)
    assert "line one line two" in out.read_text()
    assert Path(path).read_text().splitlines()[int(line) - 1].strip().startswith(("- id:", "id:", "-"))
    assert any(generated.id in h and ".yaml:" in h for h in heads)
