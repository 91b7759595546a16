"""The `massage-course` console script: one group, each package adds its commands.

This is the only module that wires the packages together, so it sits above
`decks` and `webapp` in the import layers and they never import each other.
Every command runs under one rule: an error any of our packages raises on
purpose becomes its message and exit status 1, never a traceback.
"""

from __future__ import annotations

from typing import Any

import click

from commands.addon import addon_command
from commands.check import check_command
from commands.review_sheet import review_group, review_sheet_command
from commands.serve import serve_command
from commands.worker import worker_command
from course import CourseError
from decks.cli import decks_group
from decks.errors import DecksError
from quizzes.cli import export_command
from quizzes.errors import QuizError
from webapp.platform.errors import WebappError
from webapp.tools.accounts_cli import create_instructor_command
from webapp.tools.integrity.cli import backup_command, restore_command, verify_command
from webapp.tools.reminders_cli import reminders_command
from webapp.tools.reports_cli import reports_command
from webapp.tools.synthetic.cli import seed_synthetic_command

OUR_ERRORS = (CourseError, QuizError, DecksError, WebappError)


class _Group(click.Group):
    """A click group that turns our packages' errors into one clear message and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OUR_ERRORS as error:
            raise click.ClickException(str(error)) from error


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Massage Safety Course: content checks, the web app, Anki decks."""


main.add_command(check_command)
main.add_command(serve_command)
main.add_command(worker_command)
main.add_command(create_instructor_command)
decks_group.add_command(addon_command)
main.add_command(decks_group)
main.add_command(seed_synthetic_command)
main.add_command(export_command)
main.add_command(review_sheet_command)
main.add_command(review_group)
main.add_command(reports_command)
main.add_command(verify_command)
main.add_command(backup_command)
main.add_command(restore_command)
main.add_command(reminders_command)
