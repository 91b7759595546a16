"""Benchmark: does a class's dashboard cost stay flat as the school around it grows?

The small school is made FROM the large one: copy it, keep the measured class
(the largest) with every one of its rows, and delete other classes' students
until `--students` remain. So the class's own rows are identical in both, and
any difference in cost comes from the rest of the school. On PostgreSQL both
databases are ANALYZEd first (autovacuum would, after the mass delete); SQLite
is left as the app leaves it, without statistics. The class overview and item analysis are timed on the two
schools in alternation, round by round, so the machine's noise falls on both.

    .venv/bin/python -m benchmarks.bench_flatness \\
        --large sqlite:////tmp/school2000.sqlite3 --small sqlite:////tmp/school200.sqlite3 --make-small
    .venv/bin/python -m benchmarks.bench_flatness --make-small \\
        --large postgresql+psycopg://postgres@127.0.0.1:5432/bench2000 \\
        --small postgresql+psycopg://postgres@127.0.0.1:5432/bench200

`--make-small` (re)creates the small school (a file copy on SQLite, CREATE
DATABASE … TEMPLATE on PostgreSQL, which needs no one else connected to the
large one). Prints a Markdown table: median and p95 per page and school, and
the large/small ratio of medians (the issue's bound is 1.2).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time

from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.engine import make_url

from benchmarks.bench_dashboard import biggest_class, signed_in_client
from webapp import create_app
from webapp.platform.models import Enrollment, Review, SchoolClass, User

PAGES = {"class overview": "", "item analysis": "/items"}


def make_small(large: str, small: str, students: int) -> None:
    """Copy the large school to `small` and cut it to `students` students, keeping the biggest class whole."""
    large_url, small_url = make_url(large), make_url(small)
    if large_url.get_backend_name() == "sqlite":
        assert small_url.database and large_url.database
        if os.path.exists(small_url.database):
            os.remove(small_url.database)
        shutil.copyfile(large_url.database, small_url.database)
    else:
        admin = create_engine(large_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{small_url.database}"'))
            connection.execute(text(f'CREATE DATABASE "{small_url.database}" TEMPLATE "{large_url.database}"'))
        admin.dispose()
    app = create_app({"DATABASE_URL": small, "SECRET_KEY": "bench", "DEMO_DATA": False})
    engine = app.extensions["db_engine"]  # SQLite connections here enforce ON DELETE CASCADE
    with engine.begin() as connection:
        class_id, _size = biggest_class(connection)
        kept = set(connection.scalars(select(Enrollment.user_id).where(Enrollment.class_id == class_id)))
        others = connection.scalars(
            select(User.id).where(User.role == "student", User.id.not_in(kept)).order_by(User.id)
        ).all()
        doomed = others[max(0, students - len(kept)):]
        for start in range(0, len(doomed), 500):
            connection.execute(delete(User).where(User.id.in_(doomed[start:start + 500])))
    engine.dispose()


def _analyze(url: str) -> None:
    if make_url(url).get_backend_name() != "postgresql":
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def main() -> None:
    """Time the biggest class's overview and item analysis on both schools, alternating."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", required=True, help="database URL of the large school")
    parser.add_argument("--small", required=True, help="database URL of the small school (made by --make-small)")
    parser.add_argument("--students", type=int, default=200, help="students left in the small school")
    parser.add_argument("--make-small", action="store_true")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    for url in (args.large, args.small):
        if make_url(url).get_backend_name() == "postgresql" and make_url(url).database == "test":
            parser.error("use databases of their own: 'test' belongs to CI and the other test runs")
    if args.make_small:
        started = time.perf_counter()
        make_small(args.large, args.small, args.students)
        print(f"made the small school in {time.perf_counter() - started:.0f} s")
    schools = {}
    for label, url in (("large", args.large), ("small", args.small)):
        _analyze(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "DEMO_DATA": False})
        with app.extensions["db_engine"].connect() as connection:
            class_id, size = biggest_class(connection)
            instructor = connection.scalar(select(SchoolClass.instructor_id).where(SchoolClass.id == class_id))
            users = connection.scalar(select(func.count()).select_from(User).where(User.role == "student"))
            reviews = connection.scalar(select(func.count()).select_from(Review))
            mine = connection.scalar(select(func.count()).select_from(Review).join(
                Enrollment, Enrollment.user_id == Review.user_id).where(Enrollment.class_id == class_id))
        print(f"{label}: {users:,} students, {reviews:,} reviews; class {class_id}: {size} students, {mine:,} reviews")
        assert instructor is not None
        schools[label] = (signed_in_client(app, instructor), f"/instructor/classes/{class_id}")
    times: dict[tuple[str, str], list[float]] = {(page, label): [] for page in PAGES for label in schools}
    for round_ in range(args.rounds + 1):
        for page, suffix in PAGES.items():
            for label, (client, base) in schools.items():
                start = time.perf_counter()
                response = client.get(base + suffix)
                elapsed = (time.perf_counter() - start) * 1000
                assert response.status_code == 200, (label, page, response.status_code)
                if round_:  # the first round warms caches and plans
                    times[(page, label)].append(elapsed)
    print(f"load average {os.getloadavg()[0]:.1f}")
    print("| page | large median / p95 ms | small median / p95 ms | large ÷ small (medians) |")
    print("|---|---|---|---|")
    for page in PAGES:
        cells = []
        for label in ("large", "small"):
            ordered = sorted(times[(page, label)])
            p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
            cells.append(f"{statistics.median(ordered):.1f} / {p95:.1f}")
        ratio = statistics.median(times[(page, "large")]) / statistics.median(times[(page, "small")])
        print(f"| {page} | {cells[0]} | {cells[1]} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
