"""Issue 27 (8): an answer whose database connection is lost is retried once, and stored once.

Before: during a PostgreSQL restart 8 answers got a 500 instead of a retry. Here
the connection an answer request holds is ended from another connection
(`pg_terminate_backend`, as a restart ends it) just before the answer is
written, over real PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from tests.webapp.helpers import TOKEN, answer_fields, user_id
from webapp.platform.models import Review
from webapp.questions import tokens
from webapp.study import views


def end_connection_of(session: Session, database_url: str) -> None:
    """End `session`'s database connection from another one, as a PostgreSQL restart would."""
    backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    other = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with other.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
    other.dispose()


def test_an_answer_survives_its_connection_ending_once(
    app: Flask, student: FlaskClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: a SQLite file has no connection to lose")
    real = views.record_answer
    ended: list[int] = []

    def record_after_the_connection_ends(session: Session, *args: Any, **kwargs: Any) -> Any:
        if not ended:  # the first answer's connection only: the retry must get a working one
            end_connection_of(session, database_url)
            ended.append(1)
        return real(session, *args, **kwargs)

    monkeypatch.setattr(views, "record_answer", record_after_the_connection_ends)
    page = student.get("/study/").data
    token = TOKEN.search(page.decode())
    assert token is not None
    shown = tokens.verify("test-secret", token.group(1), user_id(app, "ada@example.com"))
    question = app.extensions["bank"].get(shown.item_id)
    response = student.post("/study/answer", data={"presentation": token.group(1), **answer_fields(question)})
    assert ended and response.status_code == 302, response.status_code
    engine = create_engine(database_url)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Review)) == 1
    engine.dispose()
