"""Issue 27 (7): the limits hold, and nobody waits, while Redis is down or paused.

Before: down, the log-in limit and Flask-Limiter's limits were skipped (89
guesses in 10 s at one locked account); paused, every log-in waited on Redis for
as long as it stayed paused. Each test starts its own throwaway `redis-server`
(never the shared one) and stops or pauses only that.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import signup
from webapp import create_app

PASSWORD = "correct horse battery"
BOUND_SECONDS = 2.0  # the bound for any request while Redis is paused


def free_port() -> int:
    """A port nothing listens on (now)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def redis_server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A throwaway `redis-server` on a free port, no persistence: (its URL, its process)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("no redis-server on PATH")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield url, process
    finally:
        client.close()
        process.send_signal(signal.SIGCONT)  # a paused server cannot act on SIGTERM
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def paused(process: subprocess.Popen[bytes], at_most: float) -> Iterator[None]:
    """`process` stopped (SIGSTOP) inside the block, and continued after `at_most` seconds in any case."""
    os.kill(process.pid, signal.SIGSTOP)
    timer = threading.Timer(at_most, os.kill, (process.pid, signal.SIGCONT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        os.kill(process.pid, signal.SIGCONT)


def _app(app_config: dict[str, Any], redis_url: str) -> Flask:
    return create_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_KEY_PREFIX=f"t-{uuid.uuid4().hex}",
                           REDIS_URL=redis_url))


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _guesses(app: Flask, count: int) -> list[tuple[int, float]]:
    """`count` wrong passwords at one account, each from a new device and address: (status, seconds) each."""
    results = []
    for n in range(count):
        started = time.monotonic()
        status = _client(app, f"10.1.{n}.1").post(
            "/login", data={"email": "ada@example.com", "password": f"guess number {n}"}).status_code
        results.append((status, time.monotonic() - started))
    return results


def test_with_redis_down_the_log_in_and_sign_up_limits_still_count(app_config: dict[str, Any]) -> None:
    app = _app(app_config, f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    assert signup(_client(app, "10.0.0.1")).status_code == 302
    statuses = [status for status, _ in _guesses(app, 14)]
    assert statuses[:10] == [400] * 10 and set(statuses[10:]) == {429}, statuses
    school = _client(app, "10.0.0.2")
    sign_ups = [school.post("/signup", data={"email": f"s{n}@example.com", "display_name": "S",
                                             "password": PASSWORD}).status_code for n in range(65)]
    assert 429 in sign_ups and sign_ups[0] == 302, sign_ups  # 60 per hour per address, counted in memory
    app.extensions["db_engine"].dispose()


def test_with_redis_paused_log_ins_do_not_wait_and_still_count(app_config: dict[str, Any]) -> None:
    with redis_server() as (url, process):
        app = _app(app_config, url)
        assert signup(_client(app, "10.0.0.1")).status_code == 302
        with paused(process, at_most=20):
            results = _guesses(app, 14)
            started = time.monotonic()
            sign_up = _client(app, "10.0.0.2").post(
                "/signup", data={"email": "new@example.com", "display_name": "New", "password": PASSWORD})
            results.append((sign_up.status_code, time.monotonic() - started))
        app.extensions["db_engine"].dispose()
    slowest = max(seconds for _, seconds in results)
    assert slowest < BOUND_SECONDS, results
    statuses = [status for status, _ in results]
    assert statuses[:10] == [400] * 10 and set(statuses[10:14]) == {429} and statuses[14] == 302, statuses
