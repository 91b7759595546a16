"""`massage-course decks build`: write the Anki packages (the course, and each module)."""

from __future__ import annotations

from pathlib import Path

import click
from tqdm import tqdm

from course import CourseError, load_course
from decks.errors import DecksError
from decks.package import BuildReport, build_package, package_filename, select_modules
from quizzes.bank import build_bank
from quizzes.errors import QuizError


@click.group("decks")
def decks_group() -> None:
    """Anki decks for learners who study in Anki."""


@decks_group.command("build")
@click.option("--module", "modules", multiple=True, metavar="M",
              help="Build only this module's package (repeatable). Default: the course and every module.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/decks"),
              show_default=True, help="Folder to write the .apkg files to.")
def build_command(modules: tuple[str, ...], out: Path) -> None:
    """Build Anki packages: one for the whole course and one per module."""
    try:
        bank = build_bank(load_course())
        # Check the whole request before the first file is written.
        selected = select_modules(bank, list(modules) if modules else None)
        plan: list[tuple[list[str] | None, Path]] = [] if modules else [(None, out / package_filename(bank.course.id))]
        plan += [([module.id], out / package_filename(bank.course.id, module.id)) for module in selected]
        reports: list[BuildReport] = []
        for selection, path in tqdm(plan, desc="Building decks", unit="package", leave=False):
            reports.append(build_package(bank, selection, path))
    except (CourseError, QuizError, DecksError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write the decks: {error}") from None
    for report in reports:
        click.echo(f"wrote {report.summary()}")
