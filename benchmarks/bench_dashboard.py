"""Benchmark the instructor dashboard on a large synthetic school.

Fill a database of its own first (see benchmarks/bench_seed.py), for example:

    .venv/bin/python -m benchmarks.bench_seed --database-url sqlite:////tmp/bench.sqlite3 --reset
    .venv/bin/python -m benchmarks.bench_dashboard --database-url sqlite:////tmp/bench.sqlite3

It picks the largest class, gives it an exam date four weeks ahead when it has
none (so the forecast figures are computed), signs its instructor in through
Flask-Login's session cookie, and times whole requests (query, Python,
template) for the class overview, the item analysis (default filters, and
safety-critical only), the exam-day forecast, the unsafe answers, one item, a
student's page and the CSV exports. Prints the median and 95th percentile of
each as Markdown rows for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from benchmarks.timing import timed
from webapp import create_app
from webapp.platform.models import Enrollment, Review, SchoolClass, User


def biggest_class(connection: Connection) -> tuple[int, int]:
    """(class id, students) of the class with the most students (lowest id among equals)."""
    class_id, size = connection.execute(
        select(Enrollment.class_id, func.count()).group_by(Enrollment.class_id)
        .order_by(func.count().desc(), Enrollment.class_id).limit(1)
    ).one()
    return int(class_id), int(size)


def signed_in_client(app: Flask, user_id: int) -> FlaskClient:
    """A test client signed in as `user_id` through Flask-Login's session (no password round trip)."""
    with app.app_context():
        from webapp.platform.db import get_session

        user = get_session().get(User, user_id)
        assert user is not None
        token = user.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def main() -> None:
    """Time the dashboard pages of the biggest class."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench", "DEMO_DATA": False})
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        reviews = connection.scalar(select(func.count()).select_from(Review))
        class_id, size = biggest_class(connection)
        instructor_id = connection.scalar(select(SchoolClass.instructor_id).where(SchoolClass.id == class_id))
        student_id = connection.scalar(select(Enrollment.user_id).where(Enrollment.class_id == class_id).limit(1))
        item_id = connection.scalar(
            select(Review.item_id).where(Review.user_id == student_id, Review.unsafe_chosen.is_(True)).limit(1)
        ) or connection.scalar(select(Review.item_id).where(Review.user_id == student_id).limit(1))
    with engine.begin() as connection:
        connection.execute(
            update(SchoolClass).where(SchoolClass.id == class_id, SchoolClass.exam_date.is_(None))
            .values(exam_date=dt.date.today() + dt.timedelta(days=28))
        )
    client = signed_in_client(app, instructor_id)
    base = f"/instructor/classes/{class_id}"
    pages = {
        "class overview": base,
        "item analysis": f"{base}/items",
        "item analysis, safety-critical": f"{base}/items?safety=1",
        "exam-day forecast": f"{base}/forecast",
        "unsafe answers": f"{base}/unsafe",
        "one item": f"{base}/items/{item_id}",
        "one student (with projection)": f"{base}/students/{student_id}",
        "progress CSV": f"{base}/export/progress.csv",
        "items CSV": f"{base}/export/items.csv",
        "unsafe CSV": f"{base}/export/unsafe.csv",
    }
    print(f"{engine.dialect.name}: {reviews:,} reviews in the database; class {class_id} has {size} students")
    # CPU time of this process beside wall time: on a machine shared with other
    # work, wall time includes waiting for a core; CPU time is the request's own
    # cost (on SQLite the queries run in this process; PostgreSQL's do not).
    print("| page | median ms | p95 ms | median CPU ms (this process) |")
    print("|---|---|---|---|")
    for label, url in pages.items():
        cpu: list[float] = []

        def fetch(url: str = url, cpu: list[float] = cpu) -> None:
            start = time.process_time()
            response = client.get(url)
            cpu.append((time.process_time() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)

        times = [seconds * 1000 for seconds in timed(fetch, args.rounds)]
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        print(f"| {label} | {statistics.median(times):.1f} | {p95:.1f} | {statistics.median(cpu[1:]):.1f} |")


if __name__ == "__main__":
    main()
