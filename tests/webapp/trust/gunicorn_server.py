"""A real gunicorn serving the app over a test database, for the tests that need several workers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def gunicorn(database_url: str, redis_url: str, secret: str, options: Sequence[str]) -> Iterator[str]:
    """Start `gunicorn <options>` on a free port, wait for /healthz, yield its base URL; stop it quickly after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # A prefix of its own for the limits' Redis keys: the test Redis outlives a run, and the failed log-ins an
    # earlier run counted against 127.0.0.1 would otherwise refuse this server's first guesses with 429.
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY=secret, REDIS_URL=redis_url, PYTHONPATH=str(ROOT),
               RATELIMIT_KEY_PREFIX=f"t-{uuid.uuid4().hex}")
    # The log goes to a file, not a pipe: a pipe nobody reads fills and stalls the workers.
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), *options, "--preload", "-b", f"127.0.0.1:{port}",
         # At the end of a test no request is in flight, and a worker that has said "exiting" waits out the
         # whole graceful timeout before the master kills it, so a long one only delays every test's teardown.
         "--timeout", "120", "--graceful-timeout", "1", "tests.webapp.trust.gunicorn_app:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=10) as response:  # nosec B310 (loopback)
                    if response.status == 200:
                        break
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        else:
            process.kill()
            log.seek(0)
            pytest.fail("gunicorn did not start: " + log.read().decode(errors="replace"))
        yield base
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown (SIGTERM waits for the graceful timeout)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        log.close()
