"""Throughput under load: the production server, 16 connections, every figure a share of `/ping`.

Starts `massage-course serve --production` (gunicorn, 2 workers by default) on a
database of its own (the answer loop WRITES reviews: copy the school first), for
example:

    cp /tmp/school2000.sqlite3 /tmp/bench-serving.sqlite3
    .venv/bin/python -m benchmarks.bench_serving --database-url sqlite:////tmp/bench-serving.sqlite3 \
        --redis-url redis://127.0.0.1:6379/12

Signs in as many synthetic students as there are connections (one each, through
the real log-in form), then measures side by side in one run, each for
`--duration` seconds after `--warmup` seconds of the same load:

- `/ping` (no database, no session): the ceiling, with wrk;
- `/healthz` (`SELECT 1`) and GET `/study/` (the next question), with wrk, one
  connection per wrk thread so each carries its own student's cookie;
- the answer loop: GET `/study/`, then POST `/study/answer` with the page's own
  CSRF and presentation tokens and an answer taken from the form (right or
  wrong; the redirect is not followed), with an asyncio client in this script
  that times GET and POST apart. That client is Python, so its own `/ping`
  rate is printed too: the loop's share is bounded by it, not by wrk's.

Prints Markdown rows (req/s, share of the ceiling, p50/p99, errors), the RSS of
each gunicorn worker after the load, the load average and the server command.
Without `--database-url` (or BENCH_SERVING_DATABASE_URL), or without wrk, it
says why and skips, so `make bench` runs on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import subprocess  # nosec B404  # starts our own server and wrk, with fixed arguments
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, select

from commands.serve import PRODUCTION_THREADS
from webapp.platform.models import User
from webapp.tools.synthetic.cli import SYNTHETIC_PASSWORD

HOST = "127.0.0.1"
WRK_SCRIPT = """
local cookies = {%s}
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("cookie", cookies[((counter - 1) %% #cookies) + 1])
end
function init(args)
  if cookie ~= "" then wrk.headers["Cookie"] = cookie end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "seconds": %%f, "errors": %%d, "status": %%d, "p50": %%f, "p99": %%f}\\n',
    summary.requests, summary.duration / 1e6, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass
class Figure:
    """One measured row."""

    name: str
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Client:
    """One keep-alive HTTP/1.1 connection for one student, with its cookies."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    location: str = ""  # the last response's Location header ("" when it had none)
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str]:
        """Send one request on the kept connection; return the status and the body."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None  # nosec B101  # opened together with the writer
        body = urlencode(form or []).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            head += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        message = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        self.writer.write(message)
        status_line = await self.reader.readline()
        if not status_line:  # the server closed the idle connection (gunicorn's keep-alive timeout): reopen
            self.writer.close()
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            self.writer.write(message)
            status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked, closing = 0, False, False
        self.location = ""
        while (line := (await self.reader.readline()).decode("latin-1").rstrip("\r\n")):
            name, _, value = line.partition(":")
            name, value = name.lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                closing = True
            elif name == "location":
                self.location = value
            elif name == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, cookie = pair.partition("=")
                self.cookies[key.strip()] = cookie
        data = await self._chunked() if chunked else await self.reader.readexactly(length)
        if closing:
            self.writer.close()
            self.writer = None
        return status, data.decode("utf-8", "replace")

    async def _chunked(self) -> bytes:
        assert self.reader is not None  # nosec B101
        parts = []
        while (size := int((await self.reader.readline()).split(b";")[0], 16)):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readline()
        await self.reader.readline()
        return b"".join(parts)


def form_field(html: str, name: str) -> str:
    """The value of the page's first input named `name` ("" when there is none)."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*value="([^"]*)"', html)
    return match.group(1) if match else ""


def answer_form(html: str) -> list[tuple[str, str]]:
    """The question page's tokens plus a valid answer read from its own fields (the first option of each)."""
    form = [("csrf_token", form_field(html, "csrf_token")), ("presentation", form_field(html, "presentation"))]
    for name in ("choice", "answer", "region"):
        if value := form_field(html, name):
            form.append((name, value))
    form += [(f"blank-{n}", "answer") for n in re.findall(r'name="blank-(\d+)"', html)]
    for pair, options in re.findall(r'<select id="match-[^"]*" name="match-([^"]+)">(.*?)</select>', html, re.S):
        choices = [value for value in re.findall(r'<option value="([^"]*)"', options) if value]
        form.append((f"match-{pair}", choices[0] if choices else ""))
    return form


async def log_in(port: int, email: str) -> Client:
    """A client signed in through the log-in form, as a browser would."""
    client = Client(port)
    _, page = await client.request("GET", "/login")
    status, _ = await client.request("POST", "/login", [
        ("csrf_token", form_field(page, "csrf_token")), ("email", email), ("password", SYNTHETIC_PASSWORD)])
    if status != 302 or "session" not in client.cookies:
        raise SystemExit(f"log-in as {email} failed with HTTP {status}")
    return client


async def answer_loop(clients: list[Client], spare: list[Client],
                      seconds: float) -> tuple[list[float], list[float], int, int, int]:
    """Every client loops GET question, POST answer for `seconds`: GET and POST latencies (s), errors, hand-overs,
    and connections that stopped early for want of a spare student.

    A student with nothing left to study today (the page has no question form)
    hands the connection to a spare student: that GET is timed, not an error.
    """
    gets: list[float] = []
    posts: list[float] = []
    errors = handovers = stopped = 0
    deadline = time.perf_counter() + seconds

    async def run(client: Client) -> None:
        nonlocal errors, handovers, stopped
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status, page = await client.request("GET", "/study/")
            middle = time.perf_counter()
            gets.append(middle - start)
            if status != 200:
                errors += 1
                continue
            if 'name="presentation"' not in page:
                if not spare:  # not the server's fault, but the run then has fewer connections: reported
                    stopped += 1
                    return
                handovers += 1
                client = spare.pop()
                continue
            status, _ = await client.request("POST", "/study/answer", answer_form(page))
            posts.append(time.perf_counter() - middle)
            if status != 302:
                errors += 1

    await asyncio.gather(*(run(client) for client in clients))
    return gets, posts, errors, handovers, stopped


async def ping_loop(clients: list[Client], seconds: float) -> tuple[list[float], int]:
    """The Python client's own ceiling: `/ping` as fast as it can."""
    times: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def run(client: Client) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            status, _ = await client.request("GET", "/ping")
            times.append(time.perf_counter() - start)
            errors += status != 200

    await asyncio.gather(*(run(client) for client in clients))
    return times, errors


def percentile(times: list[float], share: float) -> float:
    """The `share` quantile of `times`, in milliseconds."""
    if not times:
        return float("nan")
    ordered = sorted(times)
    return 1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wrk(port: int, path: str, cookies: list[str], connections: int, seconds: float, name: str) -> Figure:
    """One wrk run, one connection per thread so each thread keeps its own student's cookie."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(cookie) for cookie in cookies or [""]))
    try:
        output = subprocess.run(  # nosec B603 B607  # wrk with our own arguments
            ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "-s", script.name,
             f"http://{HOST}:{port}{path}"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    result = json.loads(output.split("RESULT ", 1)[1].splitlines()[0])
    return Figure(name, result["requests"], result["seconds"], result["errors"] + result["status"],
                  result["p50"], result["p99"])


def students(database_url: str, count: int, seed: int) -> list[str]:
    """Emails of `count` synthetic students in a class, drawn at random (a run's answers use some up)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            emails = connection.scalars(
                select(User.email).where(User.is_demo.is_(True), User.role == "student", User.deleted_at.is_(None),
                                         User.enrollments.any())
                .order_by(User.id)
            ).all()
    finally:
        engine.dispose()
    if len(emails) < count:
        raise SystemExit(f"the database has {len(emails)} synthetic students in a class; {count} needed")
    return random.Random(seed).sample(list(emails), count)


def worker_rss(master: int) -> list[int]:
    """Resident memory (KiB) of each child of the gunicorn master, from /proc."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if fields.get("PPid", "").strip() == str(master):
            sizes.append(int(fields.get("VmRSS", "0 kB").split()[0]))
    return sorted(sizes)


def wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until the server answers `/ping` (it migrates and loads the course first)."""
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server stopped (exit {process.returncode}); see {log}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/ping", timeout=1):  # nosec B310  # our own server
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not answer within two minutes; see {log}")


def row(figure: Figure, ceiling: float) -> str:
    """A Markdown row: name, req/s, share, p50, p99, errors."""
    return (f"| {figure.name} | {figure.rate:,.0f} | {figure.rate / ceiling:.2f} | {figure.p50_ms:.1f} | "
            f"{figure.p99_ms:.1f} | {figure.errors} |")


def add_server_options(parser: argparse.ArgumentParser, port: int, database_help: str, redis_help: str) -> None:
    """The options every benchmark of the production server takes (database, Redis, load, gunicorn), one place."""
    parser.add_argument("--database-url", default=os.environ.get("BENCH_SERVING_DATABASE_URL"), help=database_help)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"), help=redis_help)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=PRODUCTION_THREADS,
                        help="threads per worker (gthread; default: what `serve --production` uses)")
    parser.add_argument("--port", type=int, default=port)


def can_run(name: str, args: argparse.Namespace) -> bool:
    """Whether there is a database and wrk to measure with; if not, say so (a skipped benchmark, not a failure)."""
    if not args.database_url:
        print(f"{name}: skipped, no --database-url or BENCH_SERVING_DATABASE_URL (it writes: give it a copy of a "
              "seeded school)")
        return False
    if shutil.which("wrk") is None:
        print(f"{name}: skipped, wrk is not installed (apt-get install wrk)")
        return False
    return True


def main() -> None:
    """Start the server, sign the students in, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, 8765, "a database of its own: the answer loop writes reviews",
                       "Redis for rate limits and snapshots, as in production")
    parser.add_argument("--students", type=int, default=160,
                        help="students signed in: the first --connections ones for the GETs, the rest spares for the loop")
    parser.add_argument("--seed", type=int, default=None, help="which students (default: new ones each run)")
    args = parser.parse_args()
    if not can_run("bench_serving", args):
        return
    seed = args.seed if args.seed is not None else int(time.time())
    emails = students(args.database_url, max(args.students, args.connections), seed)
    # `massage-course serve`, run from this checkout (the console script would import the installed one).
    command = [sys.executable, "-c", "from commands import main; main()", "serve", "--production", "--host", HOST, "--port", str(args.port),
               "--workers", str(args.workers), "--threads", str(args.threads)]
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": "bench-serving-secret",
           "DEMO_DATA": "0"}
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
    log = Path(tempfile.gettempdir()) / f"bench-serving-{args.port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # nosec B603
    try:
        wait_for(args.port, server, log)
        figures, extra = asyncio.run(_measure(args, emails))
        rss = worker_rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    ceiling = figures[0].rate
    load = os.getloadavg()
    print(f"\nbench_serving: {args.database_url}, {args.connections} connections, {args.duration:g} s after "
          f"{args.warmup:g} s warm-up, {args.workers} workers x {args.threads} threads, students --seed {seed}")
    print("| request | req/s | share of /ping | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(row(figure, ceiling))
    print("\n" + "\n".join(extra))
    print(f"worker RSS after load: {', '.join(f'{size / 1024:.0f} MiB' for size in rss)}")
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print("server: DATABASE_URL=… REDIS_URL=… SECRET_KEY=… massage-course " + " ".join(command[3:]))
    print(f"server log: {log}")


async def _measure(args: argparse.Namespace, emails: list[str]) -> tuple[list[Figure], list[str]]:
    signed_in = [await log_in(args.port, email) for email in emails]
    # Only students with a question to answer now: a "done for today" page is another request.
    ready = [client for client in signed_in if 'name="presentation"' in (await client.request("GET", "/study/"))[1]]
    if len(ready) < args.connections:
        raise SystemExit(f"only {len(ready)} of {len(emails)} students have a question now; sign in more (--students)")
    clients, spare = ready[:args.connections], ready[args.connections:]
    cookies = ["; ".join(f"{k}={v}" for k, v in client.cookies.items()) for client in clients]
    n, seconds = args.connections, args.duration
    figures = []
    for path, name, with_cookies in (("/ping", "ceiling `/ping`", False), ("/healthz", "`/healthz` (SELECT 1)", False),
                                     ("/study/", "GET next question", True)):
        wrk(args.port, path, cookies if with_cookies else [], n, args.warmup, name)
        figures.append(wrk(args.port, path, cookies if with_cookies else [], n, seconds, name))
    await answer_loop(clients, spare, args.warmup)
    gets, posts, errors, handovers, stopped = await answer_loop(clients, spare, seconds)
    figures.append(Figure("answer loop: POST an answer (asyncio client)", len(posts), seconds, errors,
                          percentile(posts, 0.5), percentile(posts, 0.99)))
    figures.append(Figure("answer loop: its GET question (asyncio client)", len(gets), seconds, 0,
                          percentile(gets, 0.5), percentile(gets, 0.99)))
    pings, ping_errors = await ping_loop(clients, min(seconds, 5.0))
    rate = len(pings) / min(seconds, 5.0)
    extra = [f"{len(ready)} of {len(emails)} students signed in had a question; {handovers} times a student "
             f"finished for today and a spare took over the connection"
             + (f"; {stopped} connections stopped early with no spare left (sign in more: --students)" if stopped else ""),
             f"the asyncio client's own `/ping` ceiling: {rate:,.0f} req/s (p99 {percentile(pings, 0.99):.1f} ms, "
             f"{ping_errors} errors); loop share of it: POST {len(posts) / seconds / rate:.2f}, "
             f"GET+POST {(len(posts) + len(gets)) / seconds / rate:.2f}",
             f"answer loop total: {(len(posts) + len(gets)) / seconds:,.0f} req/s "
             f"({(len(posts) + len(gets)) / seconds / figures[0].rate:.2f} of wrk's /ping)"]
    for client in signed_in:
        if client.writer is not None:
            client.writer.close()
    return figures, extra


if __name__ == "__main__":
    main()
