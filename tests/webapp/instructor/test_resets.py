"""Instructor-issued reset links: own class only, shown once, valid once and for a short time, end all sessions."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.webapp.helpers import copy_session, log_in
from tests.webapp.instructor.helpers import PASSWORD, School
from webapp.accounts.profile.resets import token_hash
from webapp.platform.db import get_session
from webapp.platform.models import PasswordReset

LINK = re.compile(r'value="https?://[^/"]+(/account/reset/[^"]+)"')
NEW = "a fresh long passphrase"


def _issue(client: FlaskClient, school: School, user_id: int | None = None) -> str:
    response = client.post(f"/instructor/classes/{school.class_id}/students/{user_id or school.ann}/reset-link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = LINK.search(response.get_data(as_text=True))
    assert match, "the page shows no link"
    return match.group(1)


def test_student_page_offers_the_link(client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    page = client.get(f"/instructor/classes/{school.class_id}/students/{school.ann}")
    assert b"Make a password reset link" in page.data


def test_only_the_class_instructor_may_issue(app: Flask, client: FlaskClient, school: School) -> None:
    url = f"/instructor/classes/{school.class_id}/students/{school.ann}/reset-link"
    assert client.post(url).status_code == 302  # anonymous: to log-in
    log_in(client, "ann@example.com", PASSWORD)
    assert client.post(url).status_code == 403  # a student
    client.post("/logout")
    log_in(client, "other@example.com", PASSWORD)
    assert client.post(url).status_code == 404  # another instructor
    client.post("/logout")
    log_in(client, "teacher@example.com", PASSWORD)
    outsider = f"/instructor/classes/{school.class_id}/students/{school.outsider}/reset-link"
    assert client.post(outsider).status_code == 404  # a student of another class
    assert client.get(url).status_code == 405
    with app.app_context():
        assert get_session().scalars(select(PasswordReset)).all() == []


def test_link_sets_password_once_and_ends_every_session(app: Flask, client: FlaskClient, school: School) -> None:
    ann = app.test_client()
    log_in(ann, "ann@example.com", PASSWORD)
    log_in(client, "teacher@example.com", PASSWORD)
    path = _issue(client, school)
    with app.app_context():
        stored = get_session().scalars(select(PasswordReset.token_hash)).all()
    assert stored == [token_hash(path.rsplit("/", 1)[1])], "only the token's hash is stored"
    stranger = app.test_client()
    page = stranger.get(path)
    assert page.status_code == 200 and b"Choose a new password" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert stranger.post(path, data={"new_password": "short", "confirm": "short"}).status_code == 400
    response = stranger.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert ann.get("/progress").status_code == 302, "Ann's old session must have ended"
    log_in(stranger, "ann@example.com", NEW)
    again = app.test_client()
    assert again.get(path).status_code == 404
    assert again.post(path, data={"new_password": "yet another passphrase", "confirm": "yet another passphrase"}).status_code == 404
    assert stranger.get("/progress").status_code == 200, "the used link changed nothing"


def test_link_expires(app: Flask, client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    path = _issue(client, school)
    with app.app_context():
        session = get_session()
        session.execute(update(PasswordReset).values(
            expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)))
        session.commit()
    assert app.test_client().get(path).status_code == 404
    reply = app.test_client().post(path, data={"new_password": NEW, "confirm": NEW})
    assert reply.status_code == 404
    log_in(app.test_client(), "ann@example.com", PASSWORD)  # the old password still works


def test_a_new_link_replaces_the_old_one(app: Flask, client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    first = _issue(client, school)
    second = _issue(client, school)
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200


def test_unknown_and_oversized_tokens_are_404(client: FlaskClient, school: School) -> None:
    assert client.get("/account/reset/nope").status_code == 404
    assert client.get("/account/reset/" + "x" * 5000).status_code == 404


def test_using_a_link_logs_out_whoever_used_it(app: Flask, client: FlaskClient, school: School) -> None:
    log_in(client, "teacher@example.com", PASSWORD)
    path = _issue(client, school)
    teacher_copy = copy_session(app, client)
    response = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/instructor/").status_code == 302, "the browser that used the link is logged out"
    assert teacher_copy.get("/instructor/").status_code == 200, "the instructor's other sessions are untouched"
