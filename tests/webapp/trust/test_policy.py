"""The access policy, route by route: who gets what, for every rule in `app.url_map`.

Four kinds of visitor: anonymous, a student of the class, the class's own
instructor, and another instructor. Each (endpoint, method) of the app must have
a row here: a new route without one fails `test_every_route_has_a_policy_row`,
so nobody adds a page without deciding who may see it. Paths are filled with
the world's ids (tests/webapp/trust/helpers.py). POSTs are sent empty, in the
order below, by a visitor of their own over a world of their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.webapp.trust.helpers import ROLES, build_world, client_for, fill, stub_builder

# (endpoint, method): status for (anonymous, student, own instructor, other instructor).
# 302 for anonymous on a private page is the redirect to /login; 404 where a
# page exists but is not yours (its existence is not confirmed either).
GET_POLICY: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("static", "GET"): (200, 200, 200, 200),
    ("home.index", "GET"): (200, 200, 200, 200),
    ("health.healthz", "GET"): (200, 200, 200, 200),
    ("lessons.index", "GET"): (200, 200, 200, 200),
    ("lessons.show", "GET"): (200, 200, 200, 200),
    ("downloads.index", "GET"): (200, 200, 200, 200),
    ("downloads.download", "GET"): (200, 200, 200, 200),
    ("downloads.class_download", "GET"): (404, 200, 200, 404),
    ("auth.signup", "GET"): (200, 302, 302, 302),
    ("auth.login", "GET"): (200, 302, 302, 302),
    ("classes.join", "GET"): (302, 200, 200, 200),
    ("progress.index", "GET"): (302, 200, 200, 200),
    ("study.index", "GET"): (302, 200, 200, 200),
    ("study.show_answer", "GET"): (302, 200, 404, 404),
    ("instructor.index", "GET"): (302, 403, 200, 200),
    ("instructor.overview", "GET"): (302, 403, 200, 404),
    ("instructor.items", "GET"): (302, 403, 200, 404),
    ("instructor.settings", "GET"): (302, 403, 200, 404),
    ("instructor.student", "GET"): (302, 403, 200, 404),
    ("instructor.export_items", "GET"): (302, 403, 200, 404),
    ("instructor.export_progress", "GET"): (302, 403, 200, 404),
}
# Sent empty (no fields): 400 is "the form has errors", 302 a redirect (to
# /login for anonymous, or back to a page with a message).
POST_POLICY: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("instructor.create", "POST"): (302, 403, 400, 400),
    ("instructor.settings", "POST"): (302, 403, 400, 404),
    ("instructor.regenerate_code", "POST"): (302, 403, 302, 404),
    ("instructor.toggle_archive", "POST"): (302, 403, 302, 404),
    ("classes.join", "POST"): (302, 400, 400, 400),
    ("study.answer", "POST"): (302, 302, 302, 302),
    ("study.rate", "POST"): (302, 302, 404, 404),
    ("auth.signup", "POST"): (400, 302, 302, 302),
    ("auth.login", "POST"): (400, 302, 302, 302),
    ("instructor.remove_student", "POST"): (302, 403, 302, 404),
    ("auth.logout", "POST"): (302, 302, 302, 302),  # last: it ends the visitor's session
}
POLICY = {**GET_POLICY, **POST_POLICY}


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    """Decks downloadable (with a stub builder), so their routes answer as in production."""
    return dict(app_config, DECK_BUILDER=stub_builder, DECK_CACHE_DIR=str(tmp_path / "decks"))


def _routes(app: Flask) -> dict[tuple[str, str], str]:
    return {
        (rule.endpoint, method): rule.rule
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_has_a_policy_row(app: Flask) -> None:
    routes = _routes(app)
    missing = sorted(set(routes) - set(POLICY))
    assert not missing, f"routes with no access rule in the policy table: {missing}"
    stale = sorted(set(POLICY) - set(routes))
    assert not stale, f"policy rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_each_visitor_gets_what_the_policy_says(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for(app, role)
    routes = _routes(app)
    column = ROLES.index(role)
    wrong = []
    for key, statuses in POLICY.items():
        method = key[1]
        response = client.open(fill(routes[key], world), method=method)
        response.close()
        if response.status_code != statuses[column]:
            wrong.append(f"{method} {routes[key]}: {response.status_code}, expected {statuses[column]}")
        assert response.status_code < 500
    assert not wrong, f"{role}: " + "; ".join(wrong)
