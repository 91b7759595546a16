"""Join codes cannot be guessed in bulk: wrong codes are limited per account and per address (issue 27, no. 8).

Before, one session tried 300 wrong codes in 2.1 s. Now each account may get
`JOIN_LIMIT_PER_ACCOUNT` codes wrong, and each client address (a school shares
one) `JOIN_LIMIT_PER_ADDRESS`, before /join answers 429; joining with the right
code never counts.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import make_class, signup

PER_ACCOUNT = 10
PER_ADDRESS = 25


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Rate limits on, in memory, with a per-address limit small enough to reach in a test."""
    return dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                JOIN_LIMIT_PER_ACCOUNT=f"{PER_ACCOUNT} per 15 minutes", JOIN_LIMIT_PER_ADDRESS=f"{PER_ADDRESS} per 15 minutes")


def _student(app: Flask, n: int, address: str = "203.0.113.7") -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    assert signup(client, email=f"s{n}@example.com", name=f"Student {n}").status_code == 302
    return client


def _wrong(client: FlaskClient, n: int) -> int:
    return client.post("/join", data={"join_code": f"ZZ{n:04d}"}).status_code


def test_one_account_gets_ten_wrong_codes_then_waits(app: Flask) -> None:
    _, code = make_class(app)
    guesser = _student(app, 1)
    for _ in range(PER_ACCOUNT + 5):  # joining with the right code never counts
        assert guesser.post("/join", data={"join_code": code}).status_code == 302
    assert [_wrong(guesser, n) for n in range(PER_ACCOUNT)] == [400] * PER_ACCOUNT
    assert [_wrong(guesser, n) for n in range(PER_ACCOUNT, 60)] == [429] * (60 - PER_ACCOUNT)
    assert guesser.post("/join", data={"join_code": code}).status_code == 429
    # Another student at the same address is not held back by this one's guesses.
    classmate = _student(app, 2)
    assert classmate.post("/join", data={"join_code": code}).status_code == 302


def test_one_address_is_limited_across_accounts(app: Flask) -> None:
    _, code = make_class(app)
    tries: list[int] = []
    for n in range(PER_ADDRESS // PER_ACCOUNT + 2):
        guesser = _student(app, n)
        tries += [_wrong(guesser, m) for m in range(PER_ACCOUNT)]
    assert tries.count(400) == PER_ADDRESS and set(tries) == {400, 429}
    assert _student(app, 99).post("/join", data={"join_code": code}).status_code == 429  # this address waits
    assert _student(app, 100, address="198.51.100.9").post("/join", data={"join_code": code}).status_code == 302
