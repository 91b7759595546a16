"""An Anki import survives the death of the worker running it: another worker finishes it, each answer stored once.

Real processes throughout: two `massage-course worker` processes on one
PostgreSQL database and one Redis, an upload through the app with REDIS_URL
set (so it goes to the queue), and a SIGKILL of the worker running it and all
its children once the import has committed some of its parts but not all. The
other worker finds the job without a heartbeat and, through RQ's scheduler,
runs it again after the first retry's wait (JOBS_RETRY_SECONDS: 10 s by default, 1 s here, still a scheduled
retry and not an immediate one, for the test would otherwise spend most of its time waiting).
"""

from __future__ import annotations

import io
import os
import sqlite3
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from course import Course
from tests.webapp.ankisync.anki_helpers import many_answers, upload
from tests.webapp.helpers import signup, user_id
from tests.webapp.workers import FAST_RECOVERY, crash, start_worker, stop
from webapp import create_app
from webapp.ankisync.jobs import queue_id
from webapp.platform.models import AnkiImport, Review

pytestmark = pytest.mark.slow

SECRET = "worker-death-test-secret"
ANSWERS = 6000  # about 60 parts of ANKI_IMPORT_BATCH_ROWS (100): long enough to kill the worker mid-way


def _answers_in(package: bytes, folder: Path) -> int:
    """How many answers the package's collection holds (its revlog rows)."""
    path = folder / "collection.anki21"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(package)).read("collection.anki21"))
    with sqlite3.connect(path) as connection:
        return int(connection.execute("SELECT count(*) FROM revlog").fetchone()[0])


@pytest.fixture
def queued_app(postgres_url: str, redis_url: str, course: Course) -> Iterator[Flask]:
    """The app on the test's PostgreSQL and Redis, so uploads go to the queue."""
    app = create_app({"TESTING": True, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "SECRET_KEY": SECRET,
                      "WTF_CSRF_ENABLED": False, "DEMO_DATA": False, "RATELIMIT_ENABLED": False, "COURSE": course,
                      "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
                      "ANKI_FOREGROUND_SECONDS": 0.0, "JOBS_RETRY_SECONDS": [1, 60, 300]})
    yield app
    app.extensions["db_engine"].dispose()


def _job(app: Flask, job_id: int) -> AnkiImport:
    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]
    with factory() as session:
        job = session.get(AnkiImport, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _wait(app: Flask, job_id: int, done: Any, seconds: float, what: str) -> AnkiImport:
    deadline = time.monotonic() + seconds
    while True:
        job = _job(app, job_id)
        if done(job):
            return job
        assert time.monotonic() < deadline, f"{what}: the job is {job.status}, {job.stage!r}, {job.reviews_added} added"
        time.sleep(0.05)


def test_a_killed_workers_import_is_finished_by_another(queued_app: Flask, postgres_url: str, redis_url: str,
                                                          course: Course, tmp_path: Path) -> None:
    package = many_answers(tmp_path / "anki", course, ANSWERS, size=30)
    expected = _answers_in(package, tmp_path)
    env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": redis_url, "SECRET_KEY": SECRET,
           "DEMO_DATA": "0", **FAST_RECOVERY}
    workers = {name: start_worker(name, env, tmp_path / f"{name}.log") for name in ("one", "two")}
    connection = redis.Redis.from_url(redis_url)
    try:
        client = queued_app.test_client()
        assert signup(client).status_code == 302
        learner = user_id(queued_app, "ada@example.com")
        page = upload(client, package)
        assert page.status_code == 200
        with queued_app.extensions["db_sessionmaker"]() as session:
            job_id = session.scalar(select(AnkiImport.id).where(AnkiImport.user_id == learner))
        assert job_id is not None

        # Kill the worker running it once some parts are committed and others are not.
        part_way = _wait(queued_app, job_id, lambda job: job.reviews_added > 0, 180, "no part was committed")
        running = Job.fetch(queue_id(job_id), connection=connection, serializer=JSONSerializer).worker_name
        assert running in workers
        crash(workers[running])
        other = next(name for name in workers if name != running)
        at_kill = _job(queued_app, job_id)
        assert 0 < part_way.reviews_added <= at_kill.reviews_added < expected, "the worker was not killed mid-import"
        assert at_kill.status == "running"

        # The page keeps showing the import as under way, never as failed, while the second worker takes over.
        status = client.get(f"/progress/anki/{job_id}/status").get_json()
        assert status["status"] in {"queued", "running"}

        finished = _wait(queued_app, job_id, lambda job: job.status not in {"queued", "running"}, 240,
                         "the second worker did not finish the import")
        assert finished.status == "done", finished.message
        queued = Job.fetch(queue_id(job_id), connection=connection, serializer=JSONSerializer)
        deadline = time.monotonic() + 30  # the row is done a moment before the worker tells RQ
        while queued.get_status() != "finished" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queued.worker_name == other and queued.get_status() == "finished"
        with queued_app.extensions["db_sessionmaker"]() as session:
            stored = session.scalar(select(func.count()).select_from(Review)
                                    .where(Review.user_id == learner, Review.source == "anki"))
            distinct = session.scalar(select(func.count(func.distinct(Review.anki_revlog_id)))
                                      .where(Review.user_id == learner))
        assert stored == distinct == expected == finished.reviews_added
        assert finished.reviews_known == 0  # answers the first run added are this job's, not "already known"
        text = client.get(f"/progress/anki/{job_id}").get_data(as_text=True)
        assert f"Imported {expected} answers" in text
    finally:
        connection.close()
        for process in workers.values():
            stop(process)
