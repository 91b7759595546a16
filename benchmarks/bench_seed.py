"""Benchmark `seed-synthetic`: how long a synthetic school takes to simulate and write.

Run from the repository root, on a database of its own (never CI's `test`):

    .venv/bin/python -m benchmarks.bench_seed --database-url sqlite:////tmp/bench.sqlite3 --reset
    createdb -h 127.0.0.1 -U postgres bench
    .venv/bin/python -m benchmarks.bench_seed --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench --reset

`--reset` drops this app's tables (Alembic downgrade to base) and migrates again,
so each run starts from an empty schema. Prints the wall time, the rows written
per table and the rate, as a Markdown table row for benchmarks/RESULTS.md. The
accounts have the `seed-synthetic` password, so the dashboard can be measured
signed in on the same database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from tqdm import tqdm

from webapp import create_app
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.migrate import downgrade, upgrade
from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User
from webapp.tools.synthetic.cli import SYNTHETIC_PASSWORD
from webapp.tools.synthetic.seed import seed_school

NOW = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.timezone.utc)


def main() -> None:
    """Seed once with the given size and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reset", action="store_true", help="drop and re-create this app's tables first")
    args = parser.parse_args()
    url = make_url(args.database_url)
    if url.get_backend_name() == "postgresql" and url.database == "test":
        parser.error("use a database of its own: 'test' belongs to CI and the other test runs")
    if args.reset:
        downgrade(args.database_url, "base")
    upgrade(args.database_url)
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench", "DEMO_DATA": False})
    engine = app.extensions["db_engine"]
    started = time.perf_counter()
    with tqdm(total=args.students, unit="student") as bar:
        result = seed_school(engine, app.extensions["bank"], students=args.students, days=args.days, seed=args.seed,
                             now=NOW, password_hash=hash_password(SYNTHETIC_PASSWORD), workers=args.workers,
                             progress=bar.update)
    seconds = time.perf_counter() - started
    with engine.connect() as connection:
        counts = {
            table.__tablename__: connection.scalar(select(func.count()).select_from(table))
            for table in (User, SchoolClass, Enrollment, ItemState, Review, ReviewChoice)
        }
    engine.dispose()
    rows = result.rows
    print(f"{url.get_backend_name()}: {args.students} students x {args.days} days, seed {args.seed}, "
          f"{args.workers} worker(s): {seconds:.1f} s, {rows.reviews / seconds:,.0f} reviews/s")
    print("| database | students x days | workers | seconds | users | classes | reviews | review_choices | item_states |")
    print(f"| {url.get_backend_name()} | {args.students} x {args.days} | {args.workers} | {seconds:.0f} | "
          f"{counts['users']:,} | {counts['classes']:,} | {counts['reviews']:,} | {counts['review_choices']:,} | "
          f"{counts['item_states']:,} |")


if __name__ == "__main__":
    main()
