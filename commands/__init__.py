"""The `massage-course` console script: one group, each package adds its commands.

This is the only module that wires the packages together, so it sits above
`decks` and `webapp` in the import layers and they never import each other.
"""

from __future__ import annotations

import click

from commands.check import check_command
from commands.review_sheet import review_sheet_command
from commands.serve import serve_command
from decks.cli import decks_group
from quizzes.cli import export_command
from webapp.cli import create_instructor_command
from webapp.synthetic_cli import seed_synthetic_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Massage Safety Course: content checks, the web app, Anki decks."""


main.add_command(check_command)
main.add_command(serve_command)
main.add_command(create_instructor_command)
main.add_command(decks_group)
main.add_command(seed_synthetic_command)
main.add_command(export_command)
main.add_command(review_sheet_command)
