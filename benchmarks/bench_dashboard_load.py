"""The instructor's class overview and item analysis under load: the production server, 16 connections.

Starts `massage-course serve --production` (gunicorn, 2 workers x 2 threads by
default) on a copy of a seeded school (it gives the largest class an exam date
four weeks ahead when it has none, as bench_dashboard does, so the forecast
figures are computed), signs the largest class's instructor in through the
real log-in form, and runs wrk at `--connections` connections on `/ping` (the
ceiling), the class overview and the item analysis, each for `--duration`
seconds after `--warmup` seconds of the same load. For example:

    cp /tmp/final2000.sqlite3 /tmp/dash-load.sqlite3
    .venv/bin/python -m benchmarks.bench_dashboard_load --database-url sqlite:////tmp/dash-load.sqlite3 \\
        --redis-url redis://127.0.0.1:6379/14 --without-snapshot

With `--redis-url` the pages read the class's snapshot (webapp/instructor/snapshot.py),
shared by both workers; `--without-snapshot` first runs the same load on a
server without Redis, where every request computes its figures. Prints, per
server, Markdown rows (req/s, share of `/ping`, p50/p99, errors), the RSS of
each worker, the load average and the server command. The wrk, start-up and
table helpers are benchmarks/bench_serving.py's.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import subprocess  # nosec B404  # starts our own server, with fixed arguments
import sys
import tempfile
import urllib.request
from pathlib import Path

from sqlalchemy import create_engine, select, update

from benchmarks.bench_dashboard import biggest_class
from benchmarks.bench_serving import HOST, Figure, add_server_options, can_run, log_in, row, wait_for, worker_rss, wrk
from webapp.platform.models import SchoolClass, User


def largest_class(database_url: str) -> tuple[int, int, str]:
    """(class id, students, instructor's email) of the largest class, which gets an exam date if it has none."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            class_id, size = biggest_class(connection)
            connection.execute(
                update(SchoolClass).where(SchoolClass.id == class_id, SchoolClass.exam_date.is_(None))
                .values(exam_date=dt.date.today() + dt.timedelta(days=28))
            )
            email = connection.scalar(
                select(User.email).join(SchoolClass, SchoolClass.instructor_id == User.id).where(SchoolClass.id == class_id)
            )
    finally:
        engine.dispose()
    return class_id, size, str(email)


async def session_cookie(port: int, email: str) -> str:
    """The Cookie header of a session signed in through the log-in form."""
    client = await log_in(port, email)
    if client.writer is not None:
        client.writer.close()
    return "; ".join(f"{key}={value}" for key, value in client.cookies.items())


def check_page(port: int, path: str, cookie: str) -> None:
    """Fail unless the signed-in page answers 200 with its figures (a redirect to log-in would look fast)."""
    request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:  # nosec B310  # our own server
        if response.status != 200 or b"Figures as of" not in response.read():
            raise SystemExit(f"{path} did not show the class's figures (HTTP {response.status})")


def serve_and_measure(args: argparse.Namespace, redis_url: str | None, class_id: int, email: str) -> None:
    """Start one server (with or without Redis), measure `/ping` and the two pages, print the table."""
    command = [sys.executable, "-c", "from commands import main; main()", "serve", "--production", "--host", HOST,
               "--port", str(args.port), "--workers", str(args.workers), "--threads", str(args.threads)]
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    # A throwaway key for the benchmark's own server.
    env.update({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-dashboard-load", "DEMO_DATA": "0"})  # nosec B105
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = Path(tempfile.gettempdir()) / f"bench-dashboard-load-{args.port}.log"
    with log.open("wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)  # nosec B603
    try:
        wait_for(args.port, server, log)
        cookie = asyncio.run(session_cookie(args.port, email))
        base = f"/instructor/classes/{class_id}"
        pages = [("/ping", "ceiling `/ping`", ""), (base, "class overview", cookie),
                 (f"{base}/items", "item analysis", cookie)]
        figures: list[Figure] = []
        for path, name, page_cookie in pages:
            if page_cookie:
                check_page(args.port, path, page_cookie)
            cookies = [page_cookie] if page_cookie else []
            wrk(args.port, path, cookies, args.connections, args.warmup, name)
            figures.append(wrk(args.port, path, cookies, args.connections, args.duration, name))
        rss = worker_rss(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    load = os.getloadavg()
    mode = "snapshots in Redis" if redis_url else "no Redis: every request computes its figures"
    print(f"\nbench_dashboard_load: {mode}; {args.database_url}, class {class_id}, {args.connections} connections, "
          f"{args.duration:g} s after {args.warmup:g} s warm-up, {args.workers} workers x {args.threads} threads")
    print("| request | req/s | share of /ping | p50 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for figure in figures:
        print(row(figure, figures[0].rate))
    print(f"worker RSS after load: {', '.join(f'{size / 1024:.0f} MiB' for size in rss)}")
    print(f"load average (1, 5, 15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"server: DATABASE_URL=… {'REDIS_URL=… ' if redis_url else ''}SECRET_KEY=… massage-course "
          + " ".join(command[3:]))


def main() -> None:
    """Measure the largest class's instructor pages under load, without and with snapshots."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_server_options(parser, 8766, "a copy of a seeded school (the largest class may get an exam date)",
                       "Redis for the snapshots (without it every request computes its figures)")
    parser.add_argument("--without-snapshot", action="store_true",
                        help="first run the same load on a server without Redis, for comparison")
    args = parser.parse_args()
    if not can_run("bench_dashboard_load", args):
        return
    class_id, size, email = largest_class(args.database_url)
    print(f"class {class_id}: {size} students, instructor {email}")
    modes = ([None] if args.without_snapshot or not args.redis_url else []) + ([args.redis_url] if args.redis_url else [])
    for redis_url in modes:
        serve_and_measure(args, redis_url, class_id, email)


if __name__ == "__main__":
    main()
