"""An import on the job queue, as its page shows it: waiting for a worker is never "failed"; a dead worker's is."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer
from sqlalchemy import update

from course import Course
from tests.webapp.ankisync.anki_helpers import many_answers, upload
from tests.webapp.helpers import signup
from webapp import create_app
from webapp.ankisync.jobs import queue_id
from webapp.platform import jobs
from webapp.platform.models import AnkiImport, utcnow


@pytest.fixture
def queued_app(app_config: dict[str, object], redis_url: str) -> Iterator[Flask]:
    """The test app with Redis, so uploads go to the queue, and no retries (a dead worker's job fails)."""
    app = create_app({**app_config, "REDIS_URL": redis_url, "ANKI_FOREGROUND_SECONDS": 0.0,
                      "JOBS_RETRY_SECONDS": []})
    yield app
    app.extensions["db_engine"].dispose()


def test_a_queued_import_waits_for_a_worker_then_shows_why_it_failed(queued_app: Flask, redis_url: str,
                                                                      course: Course, tmp_path: Path) -> None:
    client = queued_app.test_client()
    assert signup(client).status_code == 302
    page = upload(client, many_answers(tmp_path / "anki", course, 10))
    job_id = int(page.request.path.rsplit("/", 1)[1])
    connection = redis.Redis.from_url(redis_url)
    try:
        # The import waits on the queue (beside the sign-up's verification email, also queued with Redis).
        assert queue_id(job_id) in Queue(jobs.QUEUE_NAME, connection=connection, serializer=JSONSerializer).job_ids
        # No worker yet, for longer than an import may go without progress: still waiting, not failed.
        with queued_app.app_context():
            session = queued_app.extensions["db_sessionmaker"]()
            session.execute(update(AnkiImport).where(AnkiImport.id == job_id)
                            .values(updated_at=utcnow() - dt.timedelta(hours=1)))
            session.commit()
            session.close()
        assert client.get(f"/progress/anki/{job_id}/status").get_json()["status"] == "queued"
        assert "Waiting for a worker" in client.get(f"/progress/anki/{job_id}").get_data(as_text=True)

        # A worker takes it and dies (RQ's own bookkeeping: started, no heartbeat, found by maintenance).
        queued = Job.fetch(queue_id(job_id), connection=connection, serializer=JSONSerializer)
        worker = jobs.AppWorker([jobs.QUEUE_NAME], connection=connection, serializer=JSONSerializer, name="gone")
        worker.abandoned_after = 0
        Queue(jobs.QUEUE_NAME, connection=connection, serializer=JSONSerializer).remove(queued)
        worker.prepare_execution(queued)
        StartedJobRegistry(jobs.QUEUE_NAME, connection=connection, serializer=JSONSerializer).cleanup(
            timestamp=time.time() + 3600)
        assert client.get(f"/progress/anki/{job_id}/status").get_json()["status"] == "failed"
        text = client.get(f"/progress/anki/{job_id}").get_data(as_text=True)
        assert "the worker running it stopped" in text and "answers already imported are not added twice" in text
    finally:
        connection.close()
