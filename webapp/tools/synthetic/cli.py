"""`massage-course seed-synthetic`: a synthetic school with months of realistic study history.

For the instructor dashboard's benchmarks, load tests and demonstrations. Every
account it makes is marked demo (`is_demo`) and named "Synthetic …"; all share
one password, printed at the end. It refuses a database that has real accounts
unless `--force` is given, so it cannot quietly mix invented students into a
real school.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import ArgumentError, OperationalError
from tqdm import tqdm

from course import CourseError
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.models import User, utcnow

SYNTHETIC_PASSWORD = "synthetic-password"


def _classes(_ctx: click.Context, _param: click.Parameter, value: str) -> int | None:
    if value.strip().lower() == "auto":
        return None
    if not value.strip().isdigit() or int(value) < 1:
        raise click.BadParameter("give 'auto' or a whole number of classes (1 or more)")
    return int(value)


def _now(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return utcnow().replace(microsecond=0)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


@click.command("seed-synthetic")
@click.option("--students", type=click.IntRange(1, 100_000), required=True, help="How many students.")
@click.option("--days", type=click.IntRange(1, 3650), required=True, help="Days of history up to now.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same school and history.")
@click.option("--classes", default="auto", show_default=True, callback=_classes,
              help="'auto' for classes of 20-40 students, or how many classes.")
@click.option("--database-url", default=None, help="SQLAlchemy URL (default: DATABASE_URL or the app's SQLite file).")
@click.option("--now", "now_value", type=click.DateTime(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"]), default=None,
              help="End of the history, UTC (default: the current time); fix it for a reproducible run.")
@click.option("--workers", type=click.IntRange(1, 16), default=min(2, os.cpu_count() or 1), show_default=True,
              help="Processes that simulate and write.")
@click.option("--force", is_flag=True, help="Write even though the database has real (non-demo) accounts.")
def seed_synthetic_command(students: int, days: int, seed: int, classes: int | None, database_url: str | None,
                           now_value: dt.datetime | None, workers: int, force: bool) -> None:
    """Create a synthetic school: classes of 20-40 studying day by day through the real scheduler."""
    from webapp import create_app
    from webapp.platform.migrate import upgrade
    from webapp.tools.synthetic.seed import SeedError, seed_school

    try:
        app = create_app({"DATABASE_URL": database_url} if database_url else None)
        upgrade(app.config["DATABASE_URL"])
    except CourseError as error:
        raise click.ClickException(str(error)) from error
    except (ArgumentError, OperationalError) as error:
        raise click.ClickException(f"cannot open the database: {str(error).splitlines()[0]}") from error
    engine = app.extensions["db_engine"]
    try:
        _refuse_real_school(engine, force)
        started = time.perf_counter()
        with tqdm(total=students, unit="student", desc="Simulating", dynamic_ncols=True) as bar:
            result = seed_school(
                engine, app.extensions["bank"], students=students, days=days, seed=seed, now=_now(now_value),
                password_hash=hash_password(SYNTHETIC_PASSWORD), classes=classes, workers=workers,
                safety_retention=app.config["SAFETY_RETENTION"], progress=bar.update,
            )
    except SeedError as error:
        raise click.ClickException(str(error)) from error
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    rows = result.rows
    click.echo(
        f"Created {result.instructors} instructor(s), {result.classes} class(es), {result.students} student(s); "
        f"{rows.reviews:,} reviews, {rows.review_choices:,} chosen options, {rows.item_states:,} item states "
        f"in {seconds:.1f} s."
    )
    click.echo(f"Every synthetic account (is_demo) has the password: {SYNTHETIC_PASSWORD}")


def _refuse_real_school(engine: Engine, force: bool) -> None:
    with engine.connect() as connection:
        real = connection.scalar(select(func.count()).select_from(User).where(User.is_demo.is_(False)))
    if real and not force:
        raise click.ClickException(
            f"this database has {real} real (non-demo) account(s); synthetic students would mix into a real "
            "school. Use another database, or --force to add them anyway."
        )
