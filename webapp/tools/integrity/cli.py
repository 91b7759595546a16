"""`massage-course verify`, `backup FILE` and `restore FILE`: the database's records, checked and kept.

They read DATABASE_URL (or the app's default SQLite file) without loading the
course, so a backup still works when the content does not validate.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

import click
from flask import Flask

from webapp.platform.config import default_config
from webapp.platform.db import make_engine
from webapp.tools.integrity.activity import ActivityReport, verify_activity
from webapp.tools.integrity.backup import backup, restore
from webapp.tools.integrity.verify import Report, verify

ReportT = TypeVar("ReportT", Report, ActivityReport)

DATABASE_OPTION = click.option("--database-url", default=None,
                               help="SQLAlchemy URL (default: DATABASE_URL or the app's SQLite file).")


def database_url_of(given: str | None) -> str:
    """`given`, else the URL the app itself would use."""
    if given:
        return given
    instance = Flask("webapp", instance_relative_config=True).instance_path
    return str(default_config(instance)["DATABASE_URL"])


def _safe(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


@click.command("verify")
@DATABASE_OPTION
def verify_command(database_url: str | None) -> None:
    """Replay every item state and recount the activity rollups from the reviews; list each mismatch, exit 1 on any."""
    url = database_url_of(database_url)
    engine = make_engine(url)
    try:
        report = _echo_problems(verify(engine), Report())
        rollups = _echo_problems(verify_activity(engine), ActivityReport())
    finally:
        engine.dispose()
    mismatches, differences = len(report.mismatches), len(rollups.differences)
    click.echo(f"{rollups.rows:,} activity rows of {rollups.users:,} learners recounted from their reviews: "
               f"{differences:,} difference{'s' if differences != 1 else ''}.", err=bool(differences))
    summary = (f"{report.states:,} item states of {report.users:,} learners checked against {report.reviews:,} "
               f"reviews: {mismatches:,} mismatch{'es' if mismatches != 1 else ''}.")
    if mismatches or differences:
        click.echo(summary, err=True)
        raise SystemExit(1)
    click.echo(summary)


def _echo_problems(found: Iterable[object], report: ReportT) -> ReportT:
    """Echo each problem a check yields as it is found; return the report it yields last (`report` if none)."""
    for item in found:
        if isinstance(item, type(report)):
            report = item
        else:
            click.echo(str(item))
    return report


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@DATABASE_OPTION
def backup_command(file: Path, database_url: str | None) -> None:
    """Write a backup of the whole database to FILE (SQLite backup API, or pg_dump)."""
    url = database_url_of(database_url)
    kind = backup(url, file)
    click.echo(f"Backed up {_safe(url)} to {file} ({kind}, {file.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@DATABASE_OPTION
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, database_url: str | None, yes: bool) -> None:
    """Replace everything in the database with the backup in FILE."""
    url = database_url_of(database_url)
    if not yes:
        click.confirm(f"Replace everything in {_safe(url)} with {file}?", abort=True)
    kind = restore(url, file)
    click.echo(f"Restored {file} into {_safe(url)} ({kind}). Start the app (or `serve`) to apply any newer migrations.")
