"""Issue 27 (7), the chaos test: Redis paused (SIGSTOP) for 20 s under gunicorn while students answer and log in.

A real `gunicorn -w 3 -k gthread --threads 2` serves the app as in production
(CSRF on, limits on) from the test database, with REDIS_URL naming a throwaway
`redis-server` that the test pauses. Before: with Redis paused, log-ins held all
the server's threads until it continued, and a signed-in student's next page
waited behind them. Now no request waits more than 2 s, and the log-in limit
still counts (in each worker's memory while Redis is away).

Each HTTP request is timed on its own (redirects are not followed). The issue's
bound is 2 s; the test allows 5 s, for a 2-core machine shared with other work
(the slowest was 0.5-0.7 s when run alone), far under the 20 s every log-in
waited before.
"""

from __future__ import annotations

import subprocess
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from tests.webapp.helpers import SQLITE_ONLY, answer_fields
from tests.webapp.trust.gunicorn_server import gunicorn
from tests.webapp.trust.test_redis_outage import paused, redis_server
from tests.webapp.trust.test_workers import SECRET, Tab, _field, _sign_up_and_log_in
from webapp import create_app
from webapp.platform.models import User
from webapp.questions import tokens

# What is on trial is Redis going away under gunicorn's threads, not the database behind the pages:
# one database is enough (tests/webapp/trust/test_redis_outage.py and test_workers.py run on both).
pytestmark = [pytest.mark.slow, SQLITE_ONLY]

ROOT = Path(__file__).resolve().parents[3]
WORKERS = 3
PAUSE_SECONDS = 20.0
BOUND_SECONDS = 5.0
# Failures one worker checks at one account in 20 s with Redis away: 10 free, then a 15 s delay lets
# one more through (and a 30 s one none); one spare for a guess that began as the pause did.
CHECKED_PER_WORKER = 12


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand a redirect back as it is (urllib then raises it as an HTTPError, which `Tab` returns)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def chaos(database_url: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """(gunicorn's base URL, the throwaway Redis process it uses)."""
    with redis_server() as (redis_url, redis_process):
        with gunicorn(database_url, redis_url, SECRET, ["-w", str(WORKERS), "-k", "gthread", "--threads", "2"]) as base:
            yield base, redis_process


def test_a_paused_redis_makes_no_request_wait_and_the_log_in_limit_still_counts(
    chaos: tuple[str, subprocess.Popen[bytes]], database_url: str,
) -> None:
    base, redis_process = chaos
    reader = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "DEMO_DATA": False})
    bank = reader.extensions["bank"]
    reader.extensions["db_engine"].dispose()
    email = f"chaos-{uuid.uuid4().hex[:8]}@example.com"
    student = _sign_up_and_log_in(base, email, "studying through chaos")
    # From here the student's answer POST is timed alone: its redirect is not followed.
    handlers: list[urllib.request.BaseHandler] = vars(student.opener)["handlers"]
    cookies = next(h for h in handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    student.opener = urllib.request.build_opener(cookies, _NoRedirect())
    engine = create_engine(database_url)
    with engine.connect() as connection:
        student_id = int(connection.scalar(select(User.id).where(User.email == email)) or 0)
    engine.dispose()
    target = f"target-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up_and_log_in(base, target, "the target's passphrase")
    timings: list[tuple[str, int, float]] = []  # (what, status, seconds)
    stop = threading.Event()

    def timed(what: str, call: object) -> tuple[int, str]:
        started = time.monotonic()
        status, page = call()  # type: ignore[operator]
        timings.append((what, status, time.monotonic() - started))
        return status, page

    def study() -> None:
        while not stop.is_set():
            _, page = timed("study", lambda: student.get("/study/"))
            if 'name="presentation"' not in page:
                continue
            token = _field(page, "presentation")
            question = bank.get(tokens.verify(SECRET, token, student_id).item_id)
            fields = {"csrf_token": _field(page, "csrf_token"), "presentation": token, **answer_fields(question)}
            timed("answer", lambda: student.post("/study/answer", fields))

    def guess(thread: int) -> None:
        n = 0
        while not stop.is_set():
            tab = Tab(base)  # a new device and connection each time, spread over the workers
            _, page = timed("login form", lambda: tab.get("/login"))
            timed("guess", lambda: tab.post("/login", {"csrf_token": _field(page, "csrf_token"), "email": target,
                                                       "password": f"guess {thread}-{n}"}))
            n += 1

    threads = [threading.Thread(target=study)] + [threading.Thread(target=guess, args=(n,)) for n in range(2)]
    with paused(redis_process, at_most=PAUSE_SECONDS):
        for thread in threads:
            thread.start()
        time.sleep(PAUSE_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    answers = [status for what, status, _ in timings if what == "answer"]
    guesses = [status for what, status, _ in timings if what == "guess"]
    print(f"\nchaos: {len(timings)} requests, slowest {max(t[2] for t in timings):.2f} s; {len(answers)} answers; "
          f"{len(guesses)} guesses, {guesses.count(400)} checked")  # the figures SECURITY.md quotes
    slow = [t for t in timings if t[2] > BOUND_SECONDS]
    assert not slow, slow
    assert all(status < 500 for _, status, _ in timings)
    assert answers and set(answers) == {302}, answers  # stored, redirected to the answer page
    # Each worker counts in its own memory while Redis is away (before: no count at all).
    checked = guesses.count(400)
    assert 429 in guesses and checked <= WORKERS * CHECKED_PER_WORKER, (checked, len(guesses))
