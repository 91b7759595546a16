"""Joining a class with a code, and the study settings classes set."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.webapp.helpers import make_class, user_id
from webapp.classes.codes import JOIN_CODE_ALPHABET, new_join_code
from webapp.classes.settings import study_settings
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment


def _enrolments(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(Enrollment)))


def test_join_with_code_any_case_once(app: Flask, student: FlaskClient) -> None:
    _, code = make_class(app, name="Evening class", join_code="K7P4QD")
    response = student.post("/join", data={"join_code": " k7p4qd "}, follow_redirects=True)
    assert response.status_code == 200
    assert "You are in “Evening class”" in response.get_data(as_text=True)
    again = student.post("/join", data={"join_code": code}, follow_redirects=True)
    assert "already in" in again.get_data(as_text=True)
    assert _enrolments(app) == 1


def test_wrong_code_over_long_code_and_archived_class(app: Flask, student: FlaskClient) -> None:
    make_class(app, name="Old class", join_code="OLD123", archived=True)
    wrong = student.post("/join", data={"join_code": "NOPE99"})
    assert wrong.status_code == 400 and b"No class has that join code" in wrong.data
    long = student.post("/join", data={"join_code": "X" * 40})
    assert long.status_code == 400 and b"at most 16 characters" in long.data
    odd = student.post("/join", data={"join_code": "AB<>12"})
    assert b"only letters and digits" in odd.data
    closed = student.post("/join", data={"join_code": "old123"})
    assert closed.status_code == 400 and "is closed" in closed.get_data(as_text=True)
    assert _enrolments(app) == 0


def test_join_requires_login(client: FlaskClient) -> None:
    response = client.get("/join")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_settings_default_then_from_latest_class(app: Flask, student: FlaskClient) -> None:
    uid = user_id(app, "ada@example.com")
    with app.app_context():
        assert study_settings(get_session(), uid, 0.9, 20).modules is None
    make_class(app, join_code="AAA111", desired_retention=0.85, daily_new_limit=5, modules=["neck-safety"])
    make_class(app, join_code="BBB222", desired_retention=0.93, daily_new_limit=12, modules=["nerve-injury"])
    student.post("/join", data={"join_code": "AAA111"})
    student.post("/join", data={"join_code": "BBB222"})
    with app.app_context():
        settings = study_settings(get_session(), uid, 0.9, 20)
    assert (settings.desired_retention, settings.new_per_day) == (0.93, 12)
    assert settings.modules == frozenset({"neck-safety", "nerve-injury"})


def test_new_join_codes_avoid_confusable_characters() -> None:
    codes = {new_join_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 6 and set(c) <= set(JOIN_CODE_ALPHABET) for c in codes)
    assert not set("01OI") & set(JOIN_CODE_ALPHABET)


def test_leave_a_class_with_confirmation_keeps_history(app: Flask, student: FlaskClient) -> None:
    from webapp.platform.models import Review

    class_id, code = make_class(app, name="Evening class")
    student.post("/join", data={"join_code": code})
    assert f"/classes/{class_id}/leave" in student.get("/join").get_data(as_text=True)
    confirm = student.get(f"/classes/{class_id}/leave").get_data(as_text=True)
    assert "Leave “Evening class”?" in confirm and "stay yours" in confirm and _enrolments(app) == 1
    page = student.get("/study/")
    from tests.webapp.helpers import answer_fields, token_of
    from webapp.questions import tokens as presentations

    shown = presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com"))
    question = app.extensions["bank"].get(shown.item_id)
    student.post("/study/answer", data={"presentation": token_of(page.data), **answer_fields(question)})
    left = student.post(f"/classes/{class_id}/leave", follow_redirects=True).get_data(as_text=True)
    assert "You have left “Evening class”" in left and _enrolments(app) == 0
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Review)) == 1
    assert student.get(f"/classes/{class_id}/leave").status_code == 404


def test_cannot_leave_someone_elses_enrolment(app: Flask, student: FlaskClient) -> None:
    class_id, _ = make_class(app)
    assert student.post(f"/classes/{class_id}/leave").status_code == 404
