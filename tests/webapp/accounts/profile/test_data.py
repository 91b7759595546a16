"""A learner's data: the JSON download holds all of it and only it; deleting the account keeps class figures consistent."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.webapp.instructor.helpers import NOW, PASSWORD, School, build_school
from webapp.classes import roster
from webapp.instructor import analytics
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User
from webapp.records.items import item_analysis

ITEMS = ["q1", "q2", "q3"]
EXAM = dt.date(2026, 3, 11)


def _login(client: FlaskClient, email: str) -> None:
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def _figures(app: Flask, school: School, users: list[int] | None = None) -> tuple[dict[int, Any], dict[str, Any]]:
    """Every per-student figure of the class overview, and the item analysis over `users` (default: the class)."""
    with app.app_context():
        session = get_session()
        school_class = session.get(SchoolClass, school.class_id)
        assert school_class is not None
        school_class.exam_date = EXAM  # the figures with an exam date (never committed)
        rows = analytics.student_rows(session, school_class, ITEMS, ["q1", "q2"], NOW)
        members = users if users is not None else [uid for uid, _, _ in roster.members(session, school.class_id)]
        items = item_analysis(session, members, ITEMS)
    people = {row.user_id: {k: v for k, v in dataclasses.asdict(row).items() if k not in {"name", "email"}}
              for row in rows}
    return people, {item: dataclasses.asdict(stat) for item, stat in items.items()}


def _counts(app: Flask, user: int) -> tuple[int, int, int, int]:
    with app.app_context():
        session = get_session()
        return (
            session.scalar(select(func.count()).select_from(Review).where(Review.user_id == user)) or 0,
            session.scalar(select(func.count()).select_from(ItemState).where(ItemState.user_id == user)) or 0,
            session.scalar(select(func.count()).select_from(Enrollment).where(Enrollment.user_id == user)) or 0,
            session.scalar(select(func.count()).select_from(ReviewChoice).join(Review).where(Review.user_id == user)) or 0,
        )


def test_export_holds_everything_of_mine_and_nothing_of_others(app: Flask, client: FlaskClient) -> None:
    school = build_school(app)
    _login(client, "ann@example.com")
    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == "ann@example.com" and data["account"]["display_name"] == "Ann"
    assert [c["name"] for c in data["classes"]] == ["Spring cohort"]
    assert data["classes"][0]["instructor"] == "Teacher"
    assert len(data["reviews"]) == 4 and len(data["item_states"]) == 3
    assert data["reviews"][0]["options_chosen"] == ["right"]
    assert sorted(s["item_id"] for s in data["item_states"]) == ITEMS
    text = response.get_data(as_text=True)
    assert "bob@example.com" not in text and "outsider" not in text and "teacher@example.com" not in text
    assert school.ann not in (data.get("user_id"),)  # no internal ids needed to read it


def test_export_needs_log_in(client: FlaskClient) -> None:
    assert client.get("/account/export.json").status_code == 302


def test_a_wrong_password_deletes_nothing(app: Flask, client: FlaskClient) -> None:
    school = build_school(app)
    _login(client, "bob@example.com")
    before = _counts(app, school.bob)
    response = client.post("/account/delete", data={"password": "not my password"})
    assert response.status_code == 400 and b"Nothing was deleted" in response.data
    assert _counts(app, school.bob) == before
    assert client.get("/progress").status_code == 200


def test_instructors_cannot_delete_their_account_here(app: Flask, client: FlaskClient) -> None:
    school = build_school(app)
    _login(client, "teacher@example.com")
    assert b"closed by your school" in client.get("/account/").data
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    with app.app_context():
        assert get_session().get(User, school.teacher) is not None


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_deleting_an_account_keeps_class_figures_consistent(app: Flask, client: FlaskClient, mode: str) -> None:
    app.config["ACCOUNT_DELETION"] = mode
    school = build_school(app)
    people_before, items_before = _figures(app, school)
    items_without_bob = _figures(app, school, users=[school.ann, school.cat])[1]
    other = app.test_client()
    _login(other, "bob@example.com")
    _login(client, "bob@example.com")
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/progress").status_code == 302 and other.get("/progress").status_code == 302
    assert client.post("/login", data={"email": "bob@example.com", "password": PASSWORD}).status_code == 400
    people_after, items_after = _figures(app, school)
    if mode == "delete":
        assert _counts(app, school.bob) == (0, 0, 0, 0)
        assert people_after == {k: v for k, v in people_before.items() if k != school.bob}
        assert items_after == items_without_bob
    else:
        assert _counts(app, school.bob) == (2, 2, 1, 1)
        assert people_after == people_before
        assert items_after == items_before
        with app.app_context():
            bob = get_session().get(User, school.bob)
            assert bob is not None and bob.display_name == "Former student" and "bob" not in bob.email
            assert bob.deleted_at is not None
    teacher = app.test_client()
    _login(teacher, "teacher@example.com")
    overview = teacher.get(f"/instructor/classes/{school.class_id}")
    assert overview.status_code == 200 and b"Bob" not in overview.data
    assert _counts(app, school.ann)[0] == 4, "other students keep their answers"
    if mode == "anonymise":  # a deleted account gets no reset link
        reply = teacher.post(f"/instructor/classes/{school.class_id}/students/{school.bob}/reset-link")
        assert reply.status_code == 302


def test_an_unknown_deletion_setting_stops_the_app(app_config: dict[str, Any], make_app: Callable[..., Flask]) -> None:
    from webapp import create_app
    from webapp.accounts.profile.deletion import DeletionError

    with pytest.raises(DeletionError, match="ACCOUNT_DELETION"):
        create_app({**app_config, "ACCOUNT_DELETION": "archive"})
    british = make_app({**app_config, "ACCOUNT_DELETION": "Anonymize"})
    assert british.config["ACCOUNT_DELETION"] == "anonymise"
