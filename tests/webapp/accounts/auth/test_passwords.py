"""The password policy (common and context passwords refused, no composition rules) and rehash at log-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.webapp.helpers import signup
from webapp.accounts.auth.accounts import AccountError, create_user
from webapp.accounts.auth.passwords import common_passwords, password_problem
from webapp.platform.db import get_session
from webapp.platform.models import User


def test_the_bundled_list_holds_the_100000_most_common() -> None:
    words = common_passwords()
    assert 95_000 <= len(words) <= 100_000  # 100,000 lines; lower-casing merges a few thousand
    assert {"123456", "password", "1234567890", "password12", "qwertyuiop"} <= words


@pytest.mark.parametrize("password", [
    "1234567890", "password12", "Password12", "qwertyuiop", "iloveyou12", "pass word 12",  # common
    "aaaaaaaaaaaa", "abababababab",  # too few different characters
    "short", "x" * 129,  # length
])
def test_weak_passwords_are_refused(password: str) -> None:
    assert password_problem(password, "sam@example.com", "Sam Smith") is not None


@pytest.mark.parametrize(("password", "email", "name"), [
    ("kimberly.jones@example.com", "kimberly.jones@example.com", "Kim"),
    ("kimberlyjones!!", "kimberly.jones@example.com", "Kim"),
    ("Robin Lovelace 2027", "r@example.com", "Robin Lovelace"),
    ("massage safety rocks", "r@example.com", "Robin"),
])
def test_passwords_built_from_the_account_or_site_are_refused(password: str, email: str, name: str) -> None:
    assert password_problem(password, email, name) == (
        "Your password may not contain your email, your name or the name of this site."
    )


@pytest.mark.parametrize("password", ["correct horse battery", "a long enough password", "tea kettle 42 umbrella",
                                      "alllowercaseletters", "ÄÖÜ ëï 🙂 long enough"])
def test_no_composition_rules(password: str) -> None:
    assert password_problem(password, "sam@example.com", "Sam") is None


def test_signup_refuses_a_common_password_next_to_the_field(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/signup", data={"email": "sam@example.com", "display_name": "Sam", "password": "password12"})
    assert response.status_code == 400
    assert b"most common" in response.data and b'id="password-error"' in response.data
    response = client.post("/signup", data={"email": "sam.smith@example.com", "display_name": "Sam",
                                            "password": "sam.smith@example.com"})
    assert response.status_code == 400 and b"may not contain your email" in response.data
    with app.app_context():
        assert get_session().scalar(select(User.id)) is None


def test_create_user_uses_the_same_policy(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(AccountError, match="most common"):
            create_user(get_session(), email="i@example.com", display_name="I", password="1234567890")


def test_login_rehashes_when_the_argon2_parameters_change(app_config: dict[str, Any],
                                                         make_app: Callable[..., Flask]) -> None:
    old = make_app(app_config)
    signup(old.test_client())
    with old.app_context():
        before = get_session().scalar(select(User.password_hash))
    assert before is not None and "m=1024,t=1,p=1" in before
    stronger = make_app(dict(app_config, ARGON2_PARAMETERS={"time_cost": 2, "memory_cost": 2048, "parallelism": 1}))
    client = stronger.test_client()
    assert client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery"}).status_code == 302
    with stronger.app_context():
        after = get_session().scalar(select(User.password_hash))
    assert after is not None and "m=2048,t=2,p=1" in after
    assert client.get("/progress").status_code == 200  # the new session names the new hash
    client.post("/logout")
    assert client.post("/login", data={"email": "ada@example.com", "password": "correct horse battery"}).status_code == 302
