"""What the capacity and exam-rush benchmarks share: the server, simulated students' requests, CPU accounting.

- `served` starts `massage-course serve --production` (gunicorn) from this checkout
  on a database of its own and stops it afterwards.
- `Browser` is one student's browser over `bench_serving.Client`: it follows
  redirects as a browser does, reconnects after gunicorn's short keep-alive, and
  records every request's latency under a kind ("study GET", "answer POST", ...).
- `CpuMeter` reads /proc: CPU seconds of the app (gunicorn's master and workers),
  of the database (PostgreSQL backends serving this database; SQLite runs inside
  the app), of this process (the load generator) and of the whole machine, so a
  figure can say how much of the two cores was somebody else's.
"""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess  # nosec B404  # starts our own server, with fixed arguments
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from benchmarks.bench_serving import HOST, Client, form_field, log_in, percentile, wait_for

TICK = os.sysconf("SC_CLK_TCK")
SECRET = "bench-capacity-secret"  # the server's SECRET_KEY, so `minted` sessions are the server's own


@contextmanager
def served(database_url: str, redis_url: str | None, port: int, workers: int, threads: int) -> Iterator[int]:
    """Run the production server until the block ends; yields the gunicorn master's pid."""
    command = [sys.executable, "-c", "from commands import main; main()", "serve", "--production", "--host", HOST,
               "--port", str(port), "--workers", str(workers), "--threads", str(threads)]
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET, "DEMO_DATA": "0"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = Path(tempfile.gettempdir()) / f"bench-capacity-{port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # nosec B603
    try:
        wait_for(port, server, log)
        yield server.pid
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


class Recorder:
    """Latencies (seconds) and failures by kind of request."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        """One request's outcome."""
        self.times[kind].append(seconds)
        if not ok:
            self.errors[kind] += 1
            if len(self.samples) < 5:
                self.samples.append(f"{kind}: {detail}")

    def p(self, kind: str, share: float) -> float:
        """The `share` quantile of one kind, in ms."""
        return percentile(self.times.get(kind, []), share)

    def requests(self) -> list[str]:
        """The kinds that are single requests (not whole clicks, not log-ins), in order of first use."""
        return [kind for kind in self.times if not kind.startswith("click: ") and kind != "log-in"]

    def count(self) -> int:
        """Single requests recorded (a click's redirects each count once)."""
        return sum(len(self.times[kind]) for kind in self.requests())

    def total_errors(self) -> int:
        """Failed single requests (a failed click is also its failed request: counted once)."""
        return sum(self.errors[kind] for kind in self.requests())


@dataclass
class Browser:
    """One signed-in student's browser: a connection, cookies, and where it is."""

    client: Client
    record: Recorder
    page: str = ""
    url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    async def go(self, kind: str, method: str, path: str, form: list[tuple[str, str]] | None = None,
                 then: str = "") -> int:
        """One click: the request (timed as `kind`), then any redirects it leads to (each timed as `then`).

        The whole click is also timed, as "click: <kind>" (what the student waits
        for); returns the last status.
        """
        start = time.perf_counter()
        status, detail, hop_kind = 0, "", kind
        try:
            for _ in range(5):
                began = time.perf_counter()
                status, body = await self.client.request(method, path, form)
                location = self.client.location
                if status in (301, 302, 303) and location:
                    self.record.add(hop_kind, time.perf_counter() - began, True)
                    method, form, hop_kind = "GET", None, then or kind
                    path = location.split(f"{HOST}:{self.client.port}", 1)[-1]
                    continue
                self.record.add(hop_kind, time.perf_counter() - began, status == 200, f"HTTP {status} for {path}")
                self.page, self.url = body, path
                break
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            detail = repr(error)
            self.record.add(hop_kind, time.perf_counter() - start, False, detail)
            self.hang_up()
        self.record.add(f"click: {kind}", time.perf_counter() - start, status == 200, detail or f"HTTP {status}")
        return status

    def csrf(self) -> str:
        """The CSRF token of the page on screen (one per session)."""
        token = form_field(self.page, "csrf_token")
        if token:
            self.extra["csrf"] = token
        return self.extra.get("csrf", "")

    def hang_up(self) -> None:
        """Close the connection (a student thinking longer than the server keeps it open)."""
        if self.client.writer is not None:
            self.client.writer.close()
            self.client.writer = None


async def sign_in(port: int, emails: list[str], record: Recorder, at_once: int = 8) -> list[Browser]:
    """Students signed in through the log-in form, `at_once` at a time, each log-in timed as "log-in"."""
    gate = asyncio.Semaphore(at_once)

    async def one(email: str) -> Browser:
        async with gate:
            start = time.perf_counter()
            client = await log_in(port, email)
            record.add("log-in", time.perf_counter() - start, True)
            browser = Browser(client, record)
            browser.hang_up()
            return browser

    return list(await asyncio.gather(*(one(email) for email in emails)))


def minted(port: int, database_url: str, emails: list[str], record: Recorder) -> list[Browser]:
    """Students signed in without the log-in form: session cookies signed with the server's key.

    For a benchmark that does not measure log-ins (argon2id costs about 0.1 s of a
    core each, minutes for hundreds of students on a busy machine); the server
    loads and checks the user on every request exactly as after a real log-in.
    """
    from webapp import create_app
    from webapp.platform.db import get_session
    from webapp.platform.models import User

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "DEMO_DATA": False})
    try:
        with app.app_context():
            users = {user.email: user for user in get_session().scalars(select(User).where(User.email.in_(emails)))}
            serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
            name = app.config["SESSION_COOKIE_NAME"]
            cookies = [serializer.dumps({"_user_id": users[email].get_id(), "_fresh": True}) for email in emails]
    finally:
        app.extensions["db_engine"].dispose()
    return [Browser(Client(port, {name: cookie}), record) for cookie in cookies]


def _ticks(pid: int) -> int:
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return int(parts[11]) + int(parts[12])  # utime, stime


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return kids


def _machine() -> tuple[int, int]:
    """Busy and total ticks of every core, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class CpuFigures:
    """CPU seconds per wall second (cores busy) over one window."""

    seconds: float
    app: float
    database: float
    loadgen: float
    machine: float
    cores: int
    commits: float = 0.0  # PostgreSQL transactions committed per second in this database (reads too)

    @property
    def others(self) -> float:
        """Cores busy with work that is none of these (other people's jobs on the machine)."""
        return max(0.0, self.machine - self.app - self.database - self.loadgen)


class CpuMeter:
    """CPU of the app, its PostgreSQL backends, this process and the machine over a window."""

    def __init__(self, master: int, database_url: str) -> None:
        self.master = master
        url = make_url(database_url)
        self.engine = create_engine(database_url) if url.get_backend_name() == "postgresql" else None
        self.database = url.database

    def _backends(self) -> tuple[list[int], int]:
        """The PostgreSQL backends serving this database, and its transactions committed so far."""
        if self.engine is None:
            return [], 0
        with self.engine.connect() as connection:
            pids = list(connection.scalars(text(
                "SELECT pid FROM pg_stat_activity WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": self.database}))
            commits = connection.scalar(text("SELECT xact_commit FROM pg_stat_database WHERE datname = :name"),
                                        {"name": self.database})
        return pids, int(commits or 0)

    def _read(self) -> tuple[float, dict[int, int], dict[int, int], float, tuple[int, int], int]:
        app = {pid: _ticks(pid) for pid in [self.master, *_children(self.master)]}
        pids, commits = self._backends()
        db = {pid: _ticks(pid) for pid in pids}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return time.perf_counter(), app, db, usage.ru_utime + usage.ru_stime, _machine(), commits

    def start(self) -> None:
        """Begin a window."""
        self.begin = self._read()

    def stop(self) -> CpuFigures:
        """End the window: cores busy with each part."""
        end = self._read()
        wall = end[0] - self.begin[0]

        def delta(before: dict[int, int], after: dict[int, int]) -> float:
            # A backend that appeared during the window counts from its start.
            return sum(ticks - before.get(pid, 0) for pid, ticks in after.items()) / TICK / wall

        busy = (end[4][0] - self.begin[4][0]) / TICK / wall
        # Two monitoring reads commit a transaction each; PostgreSQL's statistics lag by up to a second.
        commits = max(0, end[5] - self.begin[5] - 1) / wall
        return CpuFigures(wall, delta(self.begin[1], end[1]), delta(self.begin[2], end[2]),
                          (end[3] - self.begin[3]) / wall, busy, os.cpu_count() or 1, commits)

    def close(self) -> None:
        """Release the monitoring connection."""
        if self.engine is not None:
            self.engine.dispose()


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as printed beside every figure."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} {five:.1f} {fifteen:.1f}"
