"""Changing one's password: the current one is required; other sessions end, this one goes on."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.webapp.helpers import copy_session, signup

OLD = "correct horse battery"
NEW = "a different long passphrase"


def _change(client: FlaskClient, current: str = OLD, new: str = NEW, confirm: str | None = None) -> TestResponse:
    return client.post("/account/password", data={"current_password": current, "new_password": new,
                                                  "confirm": new if confirm is None else confirm})


def test_account_page_needs_log_in(client: FlaskClient) -> None:
    response = client.get("/account/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_change_password_ends_other_sessions_and_keeps_this_one(app: Flask, client: FlaskClient) -> None:
    signup(client)
    other_device = copy_session(app, client)
    assert other_device.get("/progress").status_code == 200
    response = _change(client)
    assert response.status_code == 302
    assert client.get("/progress").status_code == 200, "this session should go on"
    assert other_device.get("/progress").status_code == 302, "the other session should have ended"
    client.post("/logout")
    assert client.post("/login", data={"email": "ada@example.com", "password": OLD}).status_code == 400
    assert client.post("/login", data={"email": "ada@example.com", "password": NEW}).status_code == 302


def test_a_wrong_current_password_changes_nothing(client: FlaskClient) -> None:
    signup(client)
    response = _change(client, current="not my password")
    assert response.status_code == 400
    assert b"That is not your current password." in response.data
    client.post("/logout")
    assert client.post("/login", data={"email": "ada@example.com", "password": OLD}).status_code == 302


def test_the_new_password_follows_the_sign_up_rules(client: FlaskClient) -> None:
    signup(client)
    assert _change(client, new="short").status_code == 400
    response = _change(client, new=NEW, confirm=NEW + "x")
    assert response.status_code == 400 and b"not the same" in response.data
