"""Under 4 gunicorn workers: two tabs racing on new items lose nothing, and the log-in limit is one limit.

The app is served as in production (CSRF on, limits on), from the test
database, by `gunicorn -w 4`; requests go over real sockets.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, func, select

from tests.webapp.trust.gunicorn_server import gunicorn
from webapp.platform.models import Review, User
from webapp.questions import tokens

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
SECRET = "workers-test-secret"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ROUNDS = 8


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Tab:
    """One browser's cookies over urllib: `get` and `post` return (status, text)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, Any]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields, doseq=True).encode()
        return self._open(urllib.request.Request(self.base + path, data=body, method="POST"))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def _field(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"(?: type="hidden")? value="([^"]+)"', html)
    assert match, f"no {name} on the page"
    return match.group(1)


@pytest.fixture(scope="module")
def server(module_database_url: str) -> Iterator[str]:
    """`gunicorn -w 4` serving the app over the module's database; yields its base URL.

    Started once per database for both tests (a start and stop take 10-25 s on a loaded machine): each test
    signs up its own account, and only the race test writes answers.
    """
    with gunicorn(module_database_url, REDIS_URL, SECRET, ["-w", "4"]) as base:
        yield base


def _sign_up_and_log_in(base: str, email: str, password: str) -> Tab:
    tab = Tab(base)
    _, page = tab.get("/signup")
    tab.post("/signup", {"csrf_token": _field(page, "csrf_token"), "email": email, "display_name": "Worker Test",
                         "password": password})
    _, page = tab.get("/login")
    status, _ = tab.post("/login", {"csrf_token": _field(page, "csrf_token"), "email": email, "password": password})
    assert status == 200  # followed the redirect to the study page
    return tab


@pytest.mark.skipif(not _redis_up(), reason="no Redis at TEST_REDIS_URL")
def test_two_tabs_race_on_new_items_under_four_workers(server: str, module_database_url: str) -> None:
    from tests.webapp.helpers import answer_fields
    from webapp import create_app

    database_url = module_database_url
    reader = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "DEMO_DATA": False})
    bank = reader.extensions["bank"]
    reader.extensions["db_engine"].dispose()
    email = f"race-{uuid.uuid4().hex[:8]}@example.com"
    tab = _sign_up_and_log_in(server, email, "racing two tabs here")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        user_id = connection.scalar(select(User.id).where(User.email == email))
    sent, statuses, new_items = 0, [], 0
    answered: set[str] = set()
    for _ in range(ROUNDS):
        pages = [tab.get("/study/")[1] for _ in range(2)]  # two tabs open on the same question
        shown = [tokens.verify(SECRET, _field(page, "presentation"), user_id) for page in pages]
        item = shown[0].item_id
        if all(s.item_id == item for s in shown) and item not in answered:
            new_items += 1
        question = bank.get(item)
        results: list[int] = []

        def submit(page: str, token: str) -> None:
            fields = {"csrf_token": _field(page, "csrf_token"), "presentation": token, **answer_fields(question)}
            results.append(tab.post("/study/answer", fields)[0])

        threads = [threading.Thread(target=submit, args=(page, _field(page, "presentation"))) for page in pages]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        statuses += results
        sent += 2
        answered.add(item)
    assert all(status < 500 for status in statuses), statuses
    assert new_items >= ROUNDS // 2
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(Review))
    engine.dispose()
    assert stored == sent  # every acknowledged answer is there: none lost



@pytest.mark.skipif(not _redis_up(), reason="no Redis at TEST_REDIS_URL")
def test_the_log_in_limit_is_shared_by_four_workers(server: str) -> None:
    """Without shared storage each worker allowed its own 10; through Redis it is 10 in all."""
    email = f"limit-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up_and_log_in(server, email, "the owner's passphrase")
    statuses = []
    for n in range(14):
        tab = Tab(server)  # a new connection each time: gunicorn spreads them over the workers
        _, page = tab.get("/login")
        statuses.append(tab.post("/login", {"csrf_token": _field(page, "csrf_token"), "email": email,
                                            "password": f"guess number {n}"})[0])
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}, statuses
