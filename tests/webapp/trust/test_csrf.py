"""Every POST route refuses a request without a CSRF token, or with another user's token: 400, nothing changed.

The routes come from `app.url_map`, so a new POST route is covered without an
edit here. Each is sent fields that would change something if accepted.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.trust.helpers import EMAILS, PASSWORD, ROLES, build_world, fill
from webapp.models import Base

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


def _fields(app: Flask, world: Any) -> dict[str, Any]:
    question = app.extensions["bank"].questions[1]
    return {
        "name": "Renamed by a forged form", "desired_retention": "80", "daily_new_limit": "5",
        "modules": world.module_id, "join_code": "ANYCODE", "email": "forged@example.com",
        "display_name": "Forged", "password": "forged passphrase here", "presentation": "x",
        "item": question.id, "choice": "a", "rating": "1",
    }


@pytest.mark.parametrize("role", ROLES)
def test_post_without_or_with_a_foreign_csrf_token_is_refused(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for_csrf(app, role)
    stranger = client_for_csrf(app, "other" if role != "other" else "own")
    foreign = _token(stranger, "/join")
    before = _snapshot(app)
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(posts) >= 10
    for rule in posts:
        path = fill(rule.rule, world)
        for extra in ({}, {"csrf_token": foreign}, {"csrf_token": "x" * 90}):
            response = client.post(path, data={**_fields(app, world), **extra})
            assert response.status_code == 400, f"{role} POST {path} {sorted(extra)}: {response.status_code}"
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
