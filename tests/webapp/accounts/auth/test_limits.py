"""Log-in limits: a guesser is slowed per account and per address; the owner's known device still gets in.

Counters are per app in memory, or in Redis (REDIS_URL) shared by every app
that names it, as several workers do.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import SQLITE_ONLY, signup
from webapp import create_app
from webapp.accounts.auth import limits

PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The counters live in the app's memory or in Redis, never in the database (which only holds the account the
# guesses aim at): the tests marked @NOT_IN_THE_DATABASE run on one. Log-in itself runs on both elsewhere.
NOT_IN_THE_DATABASE = SQLITE_ONLY


def _app(app_config: dict[str, Any], **extra: Any) -> Flask:
    return create_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=f"t-{uuid.uuid4().hex}", **extra))


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client: FlaskClient, password: str, email: str = "ada@example.com") -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


@NOT_IN_THE_DATABASE
def test_failures_on_an_account_are_limited_from_any_address(app_config: dict[str, Any]) -> None:
    app = _app(app_config)
    signup(_client(app, "10.0.0.1"))
    attacker = [_login(_client(app, f"10.1.0.{n}"), f"guess number {n}") for n in range(12)]
    assert attacker[:10] == [400] * 10 and attacker[10:] == [429, 429]  # 10 per account, whatever the address
    assert _login(_client(app, "10.2.0.1"), PASSWORD) == 429  # a new device waits too...
    app.extensions["db_engine"].dispose()


@NOT_IN_THE_DATABASE
def test_the_owner_on_a_known_device_is_not_locked_out(app_config: dict[str, Any]) -> None:
    app = _app(app_config)
    owner = _client(app, "10.0.0.1")
    assert signup(owner).status_code == 302  # logged in once here: this browser is a known device
    owner.post("/logout")
    for n in range(15):
        _login(_client(app, "10.0.0.1"), f"guess number {n}")  # same school address, no device cookie
    assert _login(_client(app, "10.0.0.1"), PASSWORD) == 429
    assert _login(owner, PASSWORD) == 302  # ...but the owner's own browser gets in
    app.extensions["db_engine"].dispose()


@NOT_IN_THE_DATABASE
def test_a_forged_device_cookie_counts_as_unknown(app_config: dict[str, Any]) -> None:
    app = _app(app_config)
    signup(_client(app, "10.0.0.1"))
    for n in range(10):
        _login(_client(app, "10.0.0.2"), f"guess number {n}")
    forged = _client(app, "10.0.0.3")
    forged.set_cookie("device", "eyJ1IjoxLCJkIjoieCJ9.forged.signature")
    assert _login(forged, PASSWORD) == 429
    app.extensions["db_engine"].dispose()


@NOT_IN_THE_DATABASE
def test_failures_per_address_are_limited_and_successes_never_count(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "ADDRESS_RULE", limits.Rule(free=5, first=1.0, cap=5.0))
    app = _app(app_config)
    signup(_client(app, "10.9.0.1"))
    for _ in range(8):  # a school's successful log-ins from one address are never counted
        client = _client(app, "10.0.0.1")
        assert _login(client, PASSWORD) == 302
    codes = [_login(_client(app, "10.0.0.1"), "wrong password", email=f"p{n}@example.com") for n in range(6)]
    assert codes == [400] * 5 + [429]
    assert _login(_client(app, "10.0.0.7"), "wrong password", email="p9@example.com") == 400  # other addresses go on
    app.extensions["db_engine"].dispose()


def test_the_delay_doubles_up_to_its_cap() -> None:
    rule = limits.Rule(free=10, first=15.0, cap=60.0)
    assert [rule.delay(n) for n in (0, 9, 10, 11, 12, 13, 500)] == [0, 0, 15, 30, 60, 60, 60]


@NOT_IN_THE_DATABASE
@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
def test_a_refused_attempt_says_how_long_to_wait_and_is_not_counted(
    app_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch, shared: bool
) -> None:
    if shared and not _redis_up():
        pytest.skip("no Redis at TEST_REDIS_URL")
    clock = [1_900_000_000.0]
    monkeypatch.setattr(limits, "now", lambda: clock[0])
    app = _app(app_config, REDIS_URL=REDIS_URL if shared else "")
    signup(_client(app, "10.0.0.1"))
    assert [_login(_client(app, f"10.1.0.{n}"), f"guess number {n}") for n in range(10)] == [400] * 10
    refused = _client(app, "10.2.0.1").post("/login", data={"email": "ada@example.com", "password": "guess again"})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "15"
    assert b"Try again in 15 seconds" in refused.data
    clock[0] += 10
    assert _login(_client(app, "10.2.0.2"), "still guessing") == 429  # refusals are not counted...
    clock[0] += 5
    assert _login(_client(app, "10.2.0.3"), "still guessing") == 400  # ...so 15 s after the 10th it is checked
    clock[0] += 29
    assert _login(_client(app, "10.2.0.4"), PASSWORD) == 429  # the 11th doubled the delay to 30 s
    clock[0] += 1
    assert _login(_client(app, "10.2.0.5"), PASSWORD) == 302
    app.extensions["db_engine"].dispose()


@NOT_IN_THE_DATABASE
def test_reading_the_form_is_never_limited(app_config: dict[str, Any]) -> None:
    app = _app(app_config)
    client = _client(app, "10.0.0.1")
    for n in range(12):
        _login(client, f"guess {n} password")
    assert client.get("/login").status_code == 200
    app.extensions["db_engine"].dispose()


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@NOT_IN_THE_DATABASE
@pytest.mark.skipif(not _redis_up(), reason="no Redis at TEST_REDIS_URL")
def test_workers_share_the_counters_through_redis(app_config: dict[str, Any]) -> None:
    """Two apps (two workers) with the same REDIS_URL: 10 failures in all, not 10 each."""
    prefix = f"t-{uuid.uuid4().hex}"
    workers = [create_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=prefix, REDIS_URL=REDIS_URL))
               for _ in range(2)]
    codes = [_login(_client(workers[n % 2], "10.0.0.1"), f"guess {n} password", email="x@example.com")
             for n in range(12)]
    assert codes == [400] * 10 + [429, 429]
    for worker in workers:
        worker.extensions["db_engine"].dispose()


@NOT_IN_THE_DATABASE
def test_an_unreachable_store_does_not_stop_log_ins(app_config: dict[str, Any]) -> None:
    app = _app(app_config, REDIS_URL="redis://127.0.0.1:1/0")  # nothing listens on port 1
    client = _client(app, "10.0.0.1")
    assert signup(client).status_code == 302
    client.post("/logout")
    assert _login(client, "wrong password here") == 400
    app.extensions["db_engine"].dispose()
