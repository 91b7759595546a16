"""Sessions end for real: a cookie copied before log-out, or before a password change, opens nothing."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.webapp.helpers import copy_session as _copy_session
from tests.webapp.helpers import signup, user_id
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import get_session
from webapp.platform.models import User


def test_a_copied_cookie_stops_working_after_log_out(app: Flask, client: FlaskClient) -> None:
    signup(client)
    stolen = _copy_session(app, client)
    assert stolen.get("/progress").status_code == 200, "the copy should work before log-out"
    client.post("/logout")
    response = stolen.get("/progress")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_password_change_in_the_database_ends_sessions(app: Flask, client: FlaskClient) -> None:
    signup(client)
    assert client.get("/progress").status_code == 200
    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.id == user_id(app, "ada@example.com"))
                        .values(password_hash=hash_password("a brand new passphrase")))
        session.commit()
    response = client.get("/progress")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logging_in_again_after_log_out_works(client: FlaskClient) -> None:
    signup(client)
    client.post("/logout")
    response = client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery"})
    assert response.status_code == 302
    assert client.get("/progress").status_code == 200
