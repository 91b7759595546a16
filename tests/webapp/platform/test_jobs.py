"""Background jobs: in a thread without Redis, on an RQ queue with it, run by a real worker in the app's context."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask, current_app
from rq import Queue

from webapp.platform import jobs


def record(path: str, word: str) -> None:
    """A job: append `word` and the app's secret key to the file at `path` (proves it ran in the app's context)."""
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"{word} {current_app.config['SECRET_KEY']}\n")


def record_then_fail(path: str) -> None:
    """A job that records each run, then fails."""
    record(path, "ran")
    raise RuntimeError("the mail server said no")


@pytest.fixture
def app_with(make_app: Callable[..., Flask], app_config: dict[str, Any]) -> Callable[..., Flask]:
    """`app_with(**overrides)`: the test app with other settings (its engine is disposed at teardown)."""
    return lambda **overrides: make_app({**app_config, **overrides})


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """RQ's worker installs its own SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_without_redis_a_job_runs_in_a_thread_in_the_apps_context(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with app.app_context():
        submitted = jobs.enqueue(record, str(out), word="hello")
        assert submitted.wait(30)
        assert jobs.state(submitted.id) is None  # no queue: the caller's own record is the status
    assert out.read_text() == f"hello {app.config['SECRET_KEY']}\n"


@pytest.mark.parametrize("redis_set", [False, True])
def test_a_job_must_be_importable_with_json_arguments(app_with: Callable[..., Flask], redis_url: str,
                                                      redis_set: bool) -> None:
    app = app_with(REDIS_URL=redis_url if redis_set else "")

    def nested(path: str) -> None:
        """Not importable by a worker."""

    with app.app_context():
        with pytest.raises(TypeError, match="module-level function"):
            jobs.enqueue(nested, "x")
        with pytest.raises(TypeError, match="plain JSON values"):
            jobs.enqueue(record, Path("/tmp/x"), "word")
        with pytest.raises(TypeError, match="plain JSON values"):
            jobs.enqueue(record, "/tmp/x", word=("a", "tuple"))  # JSON would hand the worker a list
    if redis_set:
        assert Queue(jobs.QUEUE_NAME, connection=redis.Redis.from_url(redis_url)).count == 0


def test_with_redis_a_job_waits_on_the_queue_until_a_worker_runs_it(app_with: Callable[..., Flask], redis_url: str,
                                                                   tmp_path: Path, restore_signals: None) -> None:
    app = app_with(REDIS_URL=redis_url)
    out = tmp_path / "out.txt"
    with app.app_context():
        submitted = jobs.enqueue_named("greeting-1", record, str(out), "hello")
        assert not submitted.wait(0.3)
        assert jobs.state("greeting-1") == jobs.JobState("queued")
    assert not out.exists(), "with Redis, the web process must not run the job itself"
    assert jobs.work(app, burst=True, name="test-burst")
    assert out.read_text() == f"hello {app.config['SECRET_KEY']}\n"
    with app.app_context():
        assert jobs.state("greeting-1") == jobs.JobState("done")
        assert submitted.wait(0)


def test_a_worker_closes_the_connections_its_app_opened_before_forking(app_with: Callable[..., Flask],
                                                                      redis_url: str, restore_signals: None) -> None:
    """Dropped unclosed, they would be closed by the garbage collector, which warns (an error in a later test)."""
    app = app_with(REDIS_URL=redis_url)
    with app.extensions["db_engine"].connect() as connection:  # back in the pool, still open, when the block ends
        opened = connection.connection.dbapi_connection
        assert opened is not None
    assert jobs.work(app, burst=True, name="test-burst") is False  # an empty queue: nothing to run
    with pytest.raises(Exception, match="closed"):
        opened.cursor()


def test_a_failing_job_is_retried_then_shows_failed_with_the_reason(app_with: Callable[..., Flask], redis_url: str,
                                                                    tmp_path: Path, restore_signals: None) -> None:
    app = app_with(REDIS_URL=redis_url, JOBS_RETRY_SECONDS=[0, 0])
    out = tmp_path / "out.txt"
    with app.app_context():
        jobs.enqueue_named("failing-1", record_then_fail, str(out))
    jobs.work(app, burst=True, name="test-burst")
    assert out.read_text().count("ran") == 3  # the first run and two retries
    with app.app_context():
        state = jobs.state("failing-1")
    assert state is not None and state.status == "failed"
    assert state.reason == "RuntimeError: the mail server said no"


def test_an_unreachable_redis_runs_the_job_here_rather_than_lose_it(app_with: Callable[..., Flask],
                                                                    tmp_path: Path) -> None:
    app = app_with(REDIS_URL="redis://127.0.0.1:1/0")
    out = tmp_path / "out.txt"
    with app.app_context():
        assert jobs.enqueue(record, str(out), "anyway").wait(30)
    assert out.read_text().startswith("anyway ")


@pytest.mark.parametrize("redis_set", [False, True])
def test_enqueue_once_asks_once_per_window(app_with: Callable[..., Flask], redis_url: str, tmp_path: Path,
                                           redis_set: bool) -> None:
    app = app_with(REDIS_URL=redis_url if redis_set else "")
    out = tmp_path / "out.txt"
    key = f"refresh-{tmp_path.name}"
    with app.app_context():
        first = jobs.enqueue_once(key, 60, record, str(out), "first")
        assert first is not None
        assert jobs.enqueue_once(key, 60, record, str(out), "second") is None
        assert jobs.enqueue_once(key + "-other", 60, record, str(out), "other") is not None
    if redis_set:
        assert Queue(jobs.QUEUE_NAME, connection=redis.Redis.from_url(redis_url)).count == 2
    else:
        assert first.wait(30)


def test_a_dead_workers_job_is_found_as_soon_as_the_settings_say(app: Flask, redis_url: str) -> None:
    worker = jobs.AppWorker([jobs.QUEUE_NAME], connection=redis.Redis.from_url(redis_url),
                            job_monitoring_interval=5, maintenance_interval=7)
    worker.abandoned_after = 3
    job = Queue(jobs.QUEUE_NAME, connection=worker.connection).enqueue(record, "/dev/null", "x", job_timeout=600)
    assert worker.get_heartbeat_ttl(job) == 5 + 3  # the next heartbeat, then our grace, not RQ's 60 s
    assert worker.dequeue_timeout == 7  # an idle worker looks at least this often


def test_the_worker_command_without_redis_says_why_it_cannot_start(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from commands import main

    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    monkeypatch.setenv("SECRET_KEY", "worker-command-test")
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output and "Traceback" not in result.output


def slow_record(path: str, seconds: float) -> None:
    """A job that takes `seconds`, then records that it finished."""
    time.sleep(seconds)
    record(path, "finished")


def test_drain_waits_for_the_jobs_running_in_threads(app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    with app.app_context():
        jobs.enqueue(slow_record, str(out), 0.5)
    assert not out.exists()
    assert jobs.drain(app, 30)
    assert out.read_text().startswith("finished")
    assert not app.extensions["job_threads"]
