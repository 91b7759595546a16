"""Background jobs: on an RQ queue in Redis when REDIS_URL is set, otherwise in a thread of this process.

A job is a module-level function called with plain JSON values, inside an app
context (it reads `current_app` and opens its own sessions):

- with REDIS_URL, `enqueue` puts it on the `massage-course` queue and a
  worker (`massage-course worker`, `work` below) runs it. The worker builds the
  app once and forks a child per job, as RQ does, so a job that crashes or
  leaks costs its child, not the worker. A job that raises is retried
  (JOBS_RETRY_SECONDS, one wait per retry). A worker that dies mid-job stops
  renewing the job's heartbeat; after JOBS_ABANDONED_AFTER_SECONDS another
  worker's maintenance (every JOBS_MAINTENANCE_SECONDS) finds it and puts it
  back on the queue, counted as one of its retries. So every job must be safe
  to run again from the start.
- without REDIS_URL (`make run`), or when Redis does not answer at the moment
  of enqueueing, the job runs in a daemon thread of this process, once, as
  before there was a queue.

`state` reads a queued job's status (queued / running / done / failed, with the
reason) for pages that show it.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry, Worker
from rq.job import Job, JobStatus
from rq.results import Result
from rq.serializers import JSONSerializer

QUEUE_NAME = "massage-course"
ONCE_PREFIX = "msc:jobs:once:"
_WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.CREATED}
_FAILED = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobState:
    """A queued job as a page shows it: "queued", "running", "done" or "failed", and why it failed."""

    status: str
    reason: str = ""


@dataclass
class Submitted:
    """A job handed to the queue or to a thread; `wait` until it ends or time runs out."""

    id: str
    thread: threading.Thread | None = None
    app: Flask | None = None

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the job to end; True when it did."""
        if self.thread is not None:
            self.thread.join(seconds)
            return not self.thread.is_alive()
        assert self.app is not None
        deadline = time.monotonic() + seconds
        while True:
            found = _state(self.app, self.id)
            if found is not None and found.status in {"done", "failed"}:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))


def enqueue(func: Callable[..., object], *args: Any, **kwargs: Any) -> Submitted:
    """Run `func(*args, **kwargs)` in the background (see the module's docstring)."""
    return _submit(f"{func.__name__}-{uuid.uuid4().hex}", func, args, kwargs)


def enqueue_named(job_id: str, func: Callable[..., object], *args: Any, **kwargs: Any) -> Submitted:
    """As `enqueue`, under a job id of the caller's (unique per run), so its page can read `state(job_id)`."""
    return _submit(job_id, func, args, kwargs)


def enqueue_once(key: str, seconds: int, func: Callable[..., object], *args: Any, **kwargs: Any) -> Submitted | None:
    """As `enqueue`, unless a job under `key` was submitted in the last `seconds`; then None.

    For work many requests ask for at once (one refresh of a class's figures):
    the first asks, the rest find it asked for.
    """
    _check(func, args, kwargs)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = _connection(app)
    if connection is not None:
        try:
            if not connection.set(ONCE_PREFIX + key, "1", nx=True, ex=max(1, seconds)):
                return None
        except redis.RedisError:
            log.warning("jobs: Redis did not answer; %s runs in this process", key, exc_info=True)
        else:
            return _submit(f"{key}-{uuid.uuid4().hex}", func, args, kwargs)
    with _once_lock:
        now = time.monotonic()
        if _once_until.get(key, 0.0) > now:
            return None
        for ended in [name for name, until in _once_until.items() if until <= now]:
            del _once_until[ended]  # one entry per class at most, but never more than the live ones
        _once_until[key] = now + seconds
    return _in_thread(app, f"{key}-{uuid.uuid4().hex}", func, args, kwargs)


def state(job_id: str) -> JobState | None:
    """The queued job's status, or None when there is no queue or the queue no longer knows the job."""
    return _state(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]


_once_lock = threading.Lock()
_once_until: dict[str, float] = {}


def _submit(job_id: str, func: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Submitted:
    _check(func, args, kwargs)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    connection = _connection(app)
    if connection is not None:
        config = app.config
        intervals = [int(seconds) for seconds in config["JOBS_RETRY_SECONDS"]]
        try:
            Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer).enqueue_call(
                func, args=args, kwargs=kwargs, job_id=job_id, timeout=int(config["JOBS_TIMEOUT_SECONDS"]),
                result_ttl=int(config["JOBS_KEEP_SECONDS"]), failure_ttl=int(config["JOBS_KEEP_SECONDS"]),
                retry=Retry(max=len(intervals), interval=intervals) if intervals else None,
            )
        except redis.RedisError:
            # The work is still wanted: do it here rather than lose it or fail the request.
            log.warning("jobs: Redis did not answer; %s runs in this process", job_id, exc_info=True)
        else:
            return Submitted(job_id, app=app)
    return _in_thread(app, job_id, func, args, kwargs)


def _in_thread(app: Flask, job_id: str, func: Callable[..., object], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> Submitted:
    running: set[threading.Thread] = app.extensions.setdefault("job_threads", set())

    def run() -> None:
        try:
            with app.app_context():
                try:
                    func(*args, **kwargs)
                except Exception:  # a thread has no one to raise to: the log is where it shows
                    app.logger.exception("background job %s failed", job_id)
        finally:
            running.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=f"job-{job_id}", daemon=True)
    running.add(thread)
    thread.start()
    return Submitted(job_id, thread=thread)


def drain(app: Flask, seconds: float = 30.0) -> bool:
    """Wait up to `seconds` for the jobs running in this process's threads to end; True when none is left.

    Before an app's database engine is disposed (a test's teardown, a shutdown): a job still
    holding a connection would otherwise return it to a pool nobody closes.
    """
    deadline = time.monotonic() + seconds
    for thread in list(app.extensions.get("job_threads", ())):
        thread.join(max(0.0, deadline - time.monotonic()))
    return not app.extensions.get("job_threads")


def _check(func: Callable[..., object], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse what a worker in another process could not run: a nested function, values JSON cannot carry."""
    module, name = getattr(func, "__module__", None), getattr(func, "__qualname__", "")
    if not module or "<" in name or getattr(importlib.import_module(module), name, None) is not func:
        raise TypeError(f"a job must be a module-level function, not {func!r}")
    try:
        if json.loads(json.dumps([list(args), kwargs])) != [list(args), kwargs]:
            raise TypeError("changed by JSON")
    except (TypeError, ValueError) as error:
        raise TypeError(f"a job's arguments must be plain JSON values (str, int, float, bool, None, list, dict): "
                        f"{error}") from error


_connections: dict[str, redis.Redis] = {}
_connections_lock = threading.Lock()


def _connection(app: Flask) -> redis.Redis | None:
    url = str(app.config.get("REDIS_URL") or "")
    if not url:
        return None
    with _connections_lock:
        if url not in _connections:
            # A page that enqueues must not hang on a Redis that hangs (REDIS_TIMEOUT_SECONDS).
            timeout = float(app.config["REDIS_TIMEOUT_SECONDS"])
            _connections[url] = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        return _connections[url]


def _state(app: Flask, job_id: str) -> JobState | None:
    connection = _connection(app)
    if connection is None:
        return None
    try:
        job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        status = job.get_status()
        result = job.latest_result() if status in _FAILED else None
        reason = (result.exc_string or "") if result is not None and result.type == Result.Type.FAILED else ""
    except Exception:  # no such job, or Redis away: the caller falls back to what it stored itself
        return None
    if status in _WAITING:
        return JobState("queued")
    if status == JobStatus.STARTED:
        return JobState("running")
    if status == JobStatus.FINISHED:
        return JobState("done")
    return JobState("failed", _reason(reason))


def _reason(exc_string: str) -> str:
    """The last line of a failure's traceback, or what RQ says when the worker running it died."""
    if "AbandonedJobError" in exc_string or "Work-horse terminated" in exc_string:
        return "the worker running it stopped, and it had no retries left"
    lines = [line for line in exc_string.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "it failed"


class AppWorker(Worker):
    """An RQ worker whose jobs run inside the app's context; the app is built once, before the worker forks."""

    app: Flask
    abandoned_after: int

    def perform_job(self, job: Job, queue: Queue) -> bool:
        """Run the job in an app context, on database connections of this child's own."""
        # The forked child must never share the parent's pooled connections.
        self.app.extensions["db_engine"].dispose(close=False)
        with self.app.app_context():
            return bool(super().perform_job(job, queue))

    @property
    def dequeue_timeout(self) -> int:
        """How long an idle worker waits on the queue before it looks again (and runs maintenance when due)."""
        # RQ waits worker_ttl - 15 s (6 3/4 minutes): an idle worker would find a dead one's job that late.
        return max(1, min(int(super().dequeue_timeout), int(self.maintenance_interval)))

    def get_heartbeat_ttl(self, job: Job) -> int:
        """How long the job counts as running without a heartbeat: the next one's time and a grace of ours."""
        # RQ's grace is a fixed 60 s; ours is a setting, so a dead worker's job is found as soon as the site wants.
        return int(super().get_heartbeat_ttl(job)) - 60 + self.abandoned_after


def work(app: Flask, burst: bool = False, name: str | None = None) -> bool:
    """Run a worker on the app's queue until stopped (or, with `burst`, until the queue is empty)."""
    url = str(app.config.get("REDIS_URL") or "")
    if not url:
        raise ValueError("REDIS_URL is not set: without Redis, jobs run inside `massage-course serve` itself")
    config = app.config
    connection = redis.Redis.from_url(url)
    queue = Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer)
    worker = AppWorker([queue], connection=connection, serializer=JSONSerializer,
                       name=name or f"{os.uname().nodename}.{os.getpid()}",
                       job_monitoring_interval=int(config["JOBS_HEARTBEAT_SECONDS"]),
                       maintenance_interval=int(config["JOBS_MAINTENANCE_SECONDS"]))
    worker.app = app
    worker.abandoned_after = int(config["JOBS_ABANDONED_AFTER_SECONDS"])
    # The parent never runs a job itself: close the connections opened while the app was built, before any child
    # is forked (dropped unclosed, they would reach the garbage collector still open).
    app.extensions["db_engine"].dispose()
    return bool(worker.work(burst=burst, with_scheduler=True, logging_level="INFO",
                            max_idle_time=None, date_format="%H:%M:%S"))

