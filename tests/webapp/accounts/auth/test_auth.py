"""Sign up, log in, log out: hashes, messages next to fields, invite codes, neutral sign-up, rehash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.helpers import signup
from webapp.platform.db import get_session
from webapp.platform.models import User


def _users(app: Flask) -> list[User]:
    with app.app_context():
        return list(get_session().scalars(select(User)))


def test_signup_creates_student_with_argon2id_hash_and_signs_in(app: Flask, client: FlaskClient) -> None:
    page = client.get("/signup")
    assert b'name="email"' in page.data and b'name="display_name"' in page.data and b'name="password"' in page.data
    assert b"instructor_invite_code" not in page.data  # no invite code configured
    created = client.post("/signup", data={"email": "  Ada@Example.COM ", "display_name": "Ada", "password": "correct horse battery"})
    assert created.status_code == 302 and created.headers["Location"] == "/signup/sent"
    assert client.get("/progress").status_code == 302  # not signed in by sign-up itself
    response = signup(client, email="  Ada@Example.COM ")
    assert response.status_code == 302
    [user] = _users(app)
    assert user.email == "ada@example.com"
    assert user.role == "student"
    assert user.password_hash.startswith("$argon2id$")
    assert client.get("/progress").status_code == 200


def test_signup_answers_a_known_email_as_a_new_one(app: Flask, client: FlaskClient) -> None:
    """A stranger cannot learn who has an account: same status, same page, same cookie contents."""
    fields = {"display_name": "Eve", "password": "another long passphrase"}
    new = client.post("/signup", data=dict(fields, email="new@example.com"), follow_redirects=True)
    other = app.test_client()
    signup(other)  # ada@example.com exists, with its own password
    known = app.test_client().post("/signup", data=dict(fields, email="ADA@example.com"), follow_redirects=True)
    assert new.status_code == known.status_code == 200
    assert new.get_data(as_text=True).replace("new@example.com", "X") == known.get_data(as_text=True).replace("ada@example.com", "X")
    assert len(_users(app)) == 2
    # ...and the known account is unchanged: its own password still works, the stranger's does not.
    owner = app.test_client()
    assert owner.post("/login", data={"email": "ada@example.com", "password": "correct horse battery"}).status_code == 302
    assert owner.post("/logout").status_code == 302
    assert owner.post("/login", data={"email": "ada@example.com", "password": fields["password"]}).status_code == 400


def test_signup_over_long_and_missing_fields_show_errors_by_the_field(app: Flask, client: FlaskClient) -> None:
    response = client.post("/signup", data={"email": "a" * 300 + "@x.org", "display_name": "n" * 81, "password": "short"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'id="email-error"' in text and 'id="display_name-error"' in text and 'id="password-error"' in text
    assert "Use 10 to 128 characters." in text
    assert 'aria-invalid="true"' in text
    assert _users(app) == []


def test_login_wrong_password_then_right_then_logout(client: FlaskClient) -> None:
    signup(client)
    client.post("/logout")
    bad = client.post("/login", data={"email": "ada@example.com", "password": "wrong password!"})
    assert bad.status_code == 400
    assert b"do not match an account" in bad.data
    unknown = client.post("/login", data={"email": "nobody@example.com", "password": "whatever123"})
    assert b"do not match an account" in unknown.data
    good = client.post("/login", data={"email": "ADA@example.com", "password": "correct horse battery"})
    assert good.status_code == 302
    assert client.get("/study/").status_code == 200
    assert client.get("/logout").status_code == 405  # POST only
    assert client.post("/logout").status_code == 302
    assert client.get("/study/").status_code == 302  # back to the login page


def test_login_next_is_kept_on_site(client: FlaskClient) -> None:
    signup(client)
    client.post("/logout")
    evil = client.post("/login?next=https://evil.example/", data={"email": "ada@example.com", "password": "correct horse battery"})
    assert evil.headers["Location"].startswith("/study")
    client.post("/logout")
    ok = client.post("/login?next=/progress", data={"email": "ada@example.com", "password": "correct horse battery"})
    assert ok.headers["Location"] == "/progress"


def test_instructor_invite_code_is_honoured_only_when_configured(app_config: dict[str, Any],
                                                                make_app: Callable[..., Flask]) -> None:
    application = make_app(dict(app_config, INSTRUCTOR_INVITE_CODE="let-me-teach"))
    client = application.test_client()
    assert b"instructor_invite_code" in client.get("/signup").data
    wrong = client.post("/signup", data={"email": "t@example.com", "display_name": "T", "password": "teaching for years", "instructor_invite_code": "guess"})
    assert wrong.status_code == 400 and b"invite code is not valid" in wrong.data
    right = client.post("/signup", data={"email": "t@example.com", "display_name": "T", "password": "teaching for years", "instructor_invite_code": "let-me-teach"})
    assert right.status_code == 302
    with application.app_context():
        assert get_session().scalar(select(User.role).where(User.email == "t@example.com")) == "instructor"


def test_invite_code_ignored_when_not_configured(app: Flask, client: FlaskClient) -> None:
    client.post("/signup", data={"email": "t@example.com", "display_name": "T", "password": "teaching for years", "instructor_invite_code": ""})
    assert [u.role for u in _users(app)] == ["student"]


