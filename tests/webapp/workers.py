"""`massage-course worker` processes for tests: start one on the test's database and Redis, kill it like a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import redis
from rq import Worker

# A dead worker's job is found within seconds, not the production minutes. (The wait before the retry is the
# enqueuing app's JOBS_RETRY_SECONDS, stored with the job: 10 s by default, then RQ's scheduler queues it.)
FAST_RECOVERY = {"JOBS_HEARTBEAT_SECONDS": "1", "JOBS_ABANDONED_AFTER_SECONDS": "3", "JOBS_MAINTENANCE_SECONDS": "1"}


def start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A `massage-course worker --name NAME` process with `env`, its output in `log`; returns once it is listening."""
    command = [str(Path(sys.executable).parent / "massage-course"), "worker", "--name", name]
    with log.open("wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    connection = redis.Redis.from_url(env["REDIS_URL"])
    deadline = time.monotonic() + 120
    try:
        while not any(worker.name == name for worker in Worker.all(connection=connection)):
            if process.poll() is not None:
                raise AssertionError(f"worker {name} exited: {log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker {name} never registered: {log.read_text()[-3000:]}")
            time.sleep(0.2)
    finally:
        connection.close()
    return process


def descendants(pid: int) -> list[int]:
    """Every process under `pid` (its job's child, RQ's scheduler, a sandbox reading an upload), deepest last."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
        for child in children:
            found += [child, *descendants(child)]
    return found


def crash(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and every process under it at once, as an out-of-memory kill or a lost machine would."""
    family = [process.pid, *descendants(process.pid)]
    for pid in family:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=20)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a worker politely (RQ finishes its job on SIGTERM), then by force; its children too."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            crash(process)
