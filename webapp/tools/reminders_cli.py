"""`massage-course reminders`: send the study reminders and digests due this hour (run hourly by cron)."""

from __future__ import annotations

import datetime as dt

import click

from webapp import create_app
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.errors import WebappError
from webapp.platform.migrate import upgrade
from webapp.platform.models import utcnow
from webapp.reminders.emails import run


def _moment(text: str | None) -> dt.datetime:
    if not text:
        return utcnow()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise WebappError(f"--now must be an ISO time like 2026-11-01T05:30:00+00:00, not {text!r}") from error
    if moment.tzinfo is None:
        raise WebappError("--now needs a UTC offset, e.g. 2026-11-01T05:30:00+00:00")
    return moment.astimezone(dt.timezone.utc)


@click.command("reminders")
@click.option("--now", "now_text", default=None, help="Act as if it were this time (ISO with offset); default: now.")
def reminders_command(now_text: str | None) -> None:
    """Send the study reminders and weekly digests due this hour; safe to run more than once an hour."""
    now = _moment(now_text)
    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    try:
        with app.app_context():
            result = run(get_session(), now, get_bank())
    finally:
        app.extensions["db_engine"].dispose()  # close its connections now, not whenever it is collected
    click.echo(f"Reminders sent: {len(result.reminded)}; digests sent: {len(result.digests)}.")
