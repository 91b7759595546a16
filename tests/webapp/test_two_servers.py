"""Two production servers (gunicorn, 2 workers each) and a job worker on one PostgreSQL and one Redis behave as one.

A learner's questions are fetched from one server and answered through the
other, alternately; afterwards the database holds exactly one review per
answer and one consistent item state per item, and a log-out on one server
ends the session on the other. Nothing lives in a worker's memory between
requests. An Anki upload sent to one server is imported by the job worker
(`massage-course worker`) and its progress read from the other.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests
from itsdangerous import URLSafeSerializer
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import create_engine, func, select
from werkzeug.datastructures import MultiDict

from course import Course
from quizzes.bank import build_bank
from tests.webapp.ankisync.anki_helpers import many_answers
from tests.webapp.helpers import answer_fields
from tests.webapp.workers import start_worker, stop
from webapp.ankisync.jobs import queue_id
from webapp.platform.models import AnkiImport, ItemState, Review
from webapp.questions.tokens import SALT

pytestmark = pytest.mark.slow

SECRET = "two-servers-share-this-secret"
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')
PRESENTATION = re.compile(r'name="presentation" value="([^"]+)"')
ANSWERS = 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [str(Path(sys.executable).parent / "massage-course"), "serve", "--production",
               "--port", str(port), "--workers", "2", "--threads", "2"]
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"server at {base} never became healthy: {log.read_text()[-2000:]}")


@pytest.fixture
def servers(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two servers and a job worker on one database and one Redis: the servers' base URLs."""
    env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "SECRET_KEY": SECRET,
           "DEMO_DATA": "0"}
    started: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        started.append(start_worker("jobs", env, tmp_path / "worker.log"))
        for name in ("a", "b"):
            port = _free_port()
            log = tmp_path / f"server-{name}.log"
            started.append(_start(port, env, log))
            bases.append(f"http://127.0.0.1:{port}")
            _wait_healthy(bases[-1], started[-1], log)
        yield bases[0], bases[1]
    finally:
        for process in started[1:]:
            process.terminate()
        if started:
            stop(started[0])
        for process in started[1:]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_answers_alternate_between_two_servers(servers: tuple[str, str], postgres_url: str, redis_url: str,
                                              course: Course, tmp_path: Path) -> None:
    a, b = servers
    browser = requests.Session()
    signup = browser.get(f"{a}/signup")
    created = browser.post(f"{a}/signup", data={
        "csrf_token": _csrf(signup.text), "email": "two@example.com", "display_name": "Two Servers",
        "password": "a long and unusual passphrase"}, allow_redirects=False)
    assert created.status_code == 302, created.text[:500]
    login = browser.get(f"{b}/login")  # sign-up does not log in (it answers the same for a known email)
    signed_in = browser.post(f"{b}/login", data={
        "csrf_token": _csrf(login.text), "email": "two@example.com", "password": "a long and unusual passphrase"},
        allow_redirects=False)
    assert signed_in.status_code == 302, signed_in.text[:500]
    bank = build_bank(course)
    items = []
    for n in range(ANSWERS):
        ask, answer = (a, b) if n % 2 == 0 else (b, a)
        page = browser.get(f"{ask}/study/")
        assert page.status_code == 200
        token = PRESENTATION.search(page.text)
        assert token, "no question shown"
        item_id = URLSafeSerializer(SECRET, salt=SALT).loads(token.group(1))["i"]
        question = bank.get(item_id)
        assert question is not None
        items.append(item_id)
        fields = MultiDict(answer_fields(question, correct=n % 3 != 0))
        form = [("csrf_token", _csrf(page.text)), ("presentation", token.group(1)), *fields.items(multi=True)]
        posted = browser.post(f"{answer}/study/answer", data=form, allow_redirects=False)
        assert posted.status_code == 302 and "/study/answers/" in posted.headers["Location"], posted.text[:500]
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        reviews = connection.execute(select(Review.item_id, Review.presentation_id)).all()
        states = {row.item_id: row.reps for row in connection.execute(select(ItemState.item_id, ItemState.reps))}
        per_item = dict(connection.execute(select(Review.item_id, func.count()).group_by(Review.item_id)).all())
    engine.dispose()
    assert len(reviews) == ANSWERS and len({p for _, p in reviews}) == ANSWERS
    assert sorted(i for i, _ in reviews) == sorted(items)
    assert states == per_item, "item states disagree with the reviews they came from"

    # An Anki upload to one server is imported by the job worker; the other server shows it done.
    package = many_answers(tmp_path / "anki", course, 40)
    progress = browser.get(f"{a}/progress")
    sent = browser.post(f"{a}/progress/anki", data={"csrf_token": _csrf(progress.text)},
                        files={"package": ("collection.apkg", package)}, allow_redirects=False)
    assert sent.status_code == 302 and "/progress/anki/" in sent.headers["Location"], sent.text[:500]
    job_id = int(sent.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    deadline = time.monotonic() + 120
    while (status := browser.get(f"{b}/progress/anki/{job_id}/status").json())["status"] in {"queued", "running"}:
        assert time.monotonic() < deadline, f"the import did not finish: {status}"
        time.sleep(0.2)
    assert status["status"] == "done", status
    queue = redis.Redis.from_url(redis_url)
    assert Job.fetch(queue_id(job_id), connection=queue, serializer=JSONSerializer).worker_name == "jobs"
    queue.close()
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        imported = connection.scalar(select(func.count()).select_from(Review).where(Review.source == "anki"))
        job_added = connection.scalar(select(AnkiImport.reviews_added).where(AnkiImport.id == job_id))
    engine.dispose()
    assert imported == job_added == 40 + 4  # the answers added to the file, and the four studied in Anki

    # Log out on one server: the same cookie is refused on the other.
    progress = browser.get(f"{b}/progress")
    assert progress.status_code == 200
    kept = browser.cookies.copy()
    out = browser.post(f"{a}/logout", data={"csrf_token": _csrf(progress.text)}, allow_redirects=False)
    assert out.status_code == 302
    replay = requests.get(f"{b}/progress", cookies=kept, allow_redirects=False)
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
