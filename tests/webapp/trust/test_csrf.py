"""Every POST route refuses a request without a CSRF token, or with another user's token: 400, nothing changed.

The routes come from `app.url_map`, so a new POST route is covered without an
edit here. Each is sent fields that would change something if accepted (the
account's real password for deletion, a known time zone, a whole assignment...).

The one-click unsubscribe takes no CSRF token at all (RFC 8058; its path carries a
signed token instead), so here, with a path token that is not one, it finds nothing.
The Anki add-on's API authenticates by a bearer token, not the cookie: 401 here.

Two routes answer a refused token with a redirect instead of the 400 page, by
design: a study answer is kept and replayed after log-in, recorded only if its
signed presentation token is the learner's own (`webapp.study.stash`), and an
Anki upload checks its token itself and sends the learner back to /progress
with the same message. For those the redirects are followed to the end: nothing
may be recorded, even with a presentation token the stranger really holds.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.trust.helpers import EMAILS, PASSWORD, ROLES, build_world, fill
from webapp.platform.db import get_session
from webapp.platform.models import Base, User
from webapp.questions import tokens

# Endpoints that turn a refused token into a redirect with a message (see above), and that message.
REDIRECTED = {"study.answer": b"nothing was recorded", "ankisync.upload": b"This form has expired"}
# RFC 8058: a mail client's one-click unsubscribe POSTs with no page and no CSRF token; the signed token in the
# path is the credential. A path token that is not one (the world's is a reset link's) finds nothing: 404.
SIGNED_PATH = {"reminders.unsubscribe_page"}
# The Anki add-on's API reads a personal bearer token and never the session cookie, so a forged page has nothing to
# ride on and CSRF does not apply; without the bearer token every visitor here is refused: 401.
BEARER = {"ankisync_api.notes", "ankisync_api.reviews"}
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """CSRF on, as in production."""
    return dict(app_config, WTF_CSRF_ENABLED=True)


def _snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    with app.extensions["db_engine"].connect() as connection:
        return {
            table.name: sorted((tuple(map(repr, row)) for row in connection.execute(select(table))))
            for table in Base.metadata.sorted_tables
        }


def _token(client: FlaskClient, path: str) -> str:
    match = CSRF_FIELD.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def _fields(app: Flask, world: Any, presentation: str) -> dict[str, Any]:
    question = app.extensions["bank"].questions[1]
    return {
        "name": "Renamed by a forged form", "desired_retention": "80", "daily_new_limit": "5",
        "modules": world.module_id, "join_code": "ANYCODE", "email": "forged@example.com",
        "display_name": "Forged", "password": PASSWORD, "presentation": presentation,
        "item": question.id, "choice": "a", "rating": "1",
        "current_password": PASSWORD, "new_password": "forged passphrase here", "confirm": "forged passphrase here",
        "timezone": "Europe/Paris", "reason": "typo", "comment": "Forged", "status": "resolved", "reply": "Forged",
        "title": "Forged work", "kind": "exam", "due_on": "2030-01-01", "exam_length": "20", "length": "20",
        "flag": "1", "go": "finish", "package": (io.BytesIO(b"not a deck"), "forged.apkg"),
    }


def _stranger_presentation(app: Flask, role: str, item_id: str) -> str:
    """A presentation token the stranger was really issued (a forger's best material)."""
    with app.app_context():
        stranger = get_session().scalar(select(User).where(User.email == EMAILS[role]))
        assert stranger is not None
        return tokens.issue(app.config["SECRET_KEY"], stranger.id, item_id, dt.datetime.now(dt.timezone.utc))


@pytest.mark.parametrize("role", ROLES)
def test_post_without_or_with_a_foreign_csrf_token_is_refused(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for_csrf(app, role)
    stranger_role = "other" if role != "other" else "own"
    stranger = client_for_csrf(app, stranger_role)
    foreign = _token(stranger, "/join")
    presentation = _stranger_presentation(app, stranger_role, world.item_id)
    before = _snapshot(app)
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(posts) >= 10
    for rule in posts:
        path = fill(rule.rule, world)
        for extra in ({}, {"csrf_token": foreign}, {"csrf_token": "x" * 90}):
            data = {**_fields(app, world, presentation), **extra}
            where = f"{role} POST {path} {sorted(extra)}"
            if rule.endpoint in REDIRECTED:
                response = client.post(path, data=data)
                assert response.status_code == 302, f"{where}: {response.status_code}"
                followed = client.get(response.headers["Location"], follow_redirects=True)
                assert followed.status_code == 200, f"{where}: {followed.status_code} at the end"
                if role != "anonymous":
                    assert REDIRECTED[rule.endpoint] in followed.data, where
                continue
            response = client.post(path, data=data)
            if rule.endpoint in SIGNED_PATH:
                assert response.status_code == 404, f"{where}: {response.status_code}"
                continue
            if rule.endpoint in BEARER:
                assert response.status_code == 401, f"{where}: {response.status_code}"
                continue
            assert response.status_code == 400, f"{where}: {response.status_code}"
            assert b"This form has expired" in response.data
    assert _snapshot(app) == before


def client_for_csrf(app: Flask, role: str) -> FlaskClient:
    """`client_for` with CSRF on: log in through the form with its token."""
    client = app.test_client()
    if role == "anonymous":
        return client
    token = _token(client, "/login")
    response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def test_the_csrf_token_changes_at_log_in(app: Flask) -> None:
    build_world(app)
    client = app.test_client()
    before = _token(client, "/login")
    logged_in = client.post("/login", data={"email": EMAILS["student"], "password": PASSWORD, "csrf_token": before})
    assert logged_in.status_code == 302
    after = _token(client, "/join")
    assert after != before
    assert client.post("/join", data={"join_code": "ANYCODE", "csrf_token": before}).status_code == 400
