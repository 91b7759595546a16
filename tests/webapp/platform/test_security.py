"""Headers on every response, HTTPS cookies, bounded ids, control characters, error pages after a failed statement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from sqlalchemy import select, text
from werkzeug.routing import IntegerConverter

from tests.webapp.helpers import SQLITE_ONLY, make_class, signup
from webapp.platform.config import demo_data_setting
from webapp.platform.db import get_session
from webapp.platform.forms import control_character_problem
from webapp.platform.models import SchoolClass, User
from webapp.platform.security import MAX_ID, BoundedInt

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
CSP_PARTS = ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "default-src 'self'")


def _check_headers(response: Any) -> None:
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert all(part in csp for part in CSP_PARTS), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_headers_on_pages_error_pages_static_files_and_redirects(student: FlaskClient) -> None:
    for path, status in (("/", 200), ("/progress", 200), ("/nowhere", 404), ("/static/site.css", 200),
                         ("/instructor/", 403), ("/login", 302), ("/healthz", 200)):
        with student.get(path) as response:
            assert response.status_code == status, path
            _check_headers(response)


def test_learner_pages_are_not_stored_static_files_may_be(student: FlaskClient) -> None:
    for path in ("/progress", "/study/", "/nowhere", "/"):
        assert student.get(path).headers["Cache-Control"] == "no-store", path
    with student.get("/static/site.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_a_crash_is_a_friendly_page_with_the_headers(app: Flask) -> None:
    @app.get("/boom-after-a-failed-statement")
    def boom() -> str:
        session = get_session()
        session.scalar(select(User.id))
        try:
            session.execute(text("SELECT * FROM no_such_table"))
        except Exception:  # noqa: BLE001  (leave the session failed, as a half-done request would)
            pass
        session.scalar(select(User.id))  # PendingRollbackError on PostgreSQL, OperationalError nowhere else
        abort(500)

    client = app.test_client()
    signup(client)  # the error page's nav loads the user: it must not fail in turn
    response = client.get("/boom-after-a-failed-statement")
    assert response.status_code == 500
    assert b"Something went wrong on our side" in response.data and b"Log out" in response.data
    _check_headers(response)


def test_https_sends_hsts_and_host_prefixed_secure_cookies(app_config: dict[str, Any],
                                                          make_app: Callable[..., Flask]) -> None:
    app = make_app(dict(app_config, PREFERRED_URL_SCHEME="https"))
    client = app.test_client()
    response = signup(client)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("__Host-session="))
    assert "Secure" in session_cookie and "HttpOnly" in session_cookie and "Path=/" in session_cookie
    assert "Domain" not in session_cookie
    assert any(c.startswith("__Host-device=") and "Secure" in c for c in cookies)
    assert "Strict-Transport-Security" not in make_app(app_config).test_client().get("/").headers


def test_behind_a_proxy_the_forwarded_scheme_and_address_count_only_when_trusted(
        app_config: dict[str, Any], make_app: Callable[..., Flask]) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    trusted = make_app(dict(app_config, PROXY_COUNT=1))
    assert "Strict-Transport-Security" in trusted.test_client().get("/", headers=forwarded).headers
    untrusted = make_app(app_config)
    assert "Strict-Transport-Security" not in untrusted.test_client().get("/", headers=forwarded).headers


@SQLITE_ONLY  # the URL map's converters: no database
def test_every_int_in_a_route_is_bounded(app: Flask) -> None:
    ints = [(rule.rule, name) for rule in app.url_map.iter_rules() for name, conv in rule._converters.items()
            if isinstance(conv, IntegerConverter)]
    assert ints, "no route with an id?"
    for rule, name in ints:
        converter = next(r for r in app.url_map.iter_rules() if r.rule == rule)._converters[name]
        assert isinstance(converter, BoundedInt) and converter.max == MAX_ID and converter.min == 1, rule


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "9223372036854775808", "1" * 40, "0"])
def test_ids_beyond_the_database_range_are_404(app: Flask, number: str) -> None:
    class_id, _ = make_class(app)
    client = app.test_client()
    signup(client)
    with app.app_context():
        session = get_session()
        session.execute(SchoolClass.__table__.update().values(instructor_id=select(User.id).where(
            User.email == "ada@example.com").scalar_subquery()))
        session.execute(User.__table__.update().where(User.email == "ada@example.com").values(role="instructor"))
        session.commit()
    assert client.get(f"/instructor/classes/{class_id}").status_code == 200
    for path in (f"/instructor/classes/{number}", f"/instructor/classes/{class_id}/students/{number}",
                 f"/study/answers/{number}", f"/downloads/class/{number}.apkg"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/instructor/classes/{number}/archive").status_code == 404


@pytest.mark.parametrize("text_value", ["A\x00B", "\x07bell", "esc\x1b[31m", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_with_a_field_error(client: FlaskClient, text_value: str) -> None:
    assert control_character_problem(text_value)
    response = client.post("/signup", data={"email": "n@example.com", "display_name": text_value,
                                            "password": "correct horse battery"})
    assert response.status_code == 400
    assert b'id="display_name-error"' in response.data and b"control characters" in response.data


def test_tabs_and_line_breaks_are_text() -> None:
    assert control_character_problem("two\tcolumns\r\nand lines") is None
    assert control_character_problem("Zoë 🙂 — ok") is None


@pytest.mark.parametrize(("setting", "url_set", "expected"), [
    (None, False, True), (None, True, False), ("1", True, True), ("0", False, False), ("", True, False),
    ("no", False, False),
])
def testdemo_data_setting_only_for_the_default_file_unless_asked(setting: str | None, url_set: bool, expected: bool) -> None:
    assert demo_data_setting(setting, url_set) is expected
