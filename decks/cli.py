"""`massage-course decks build`: record changed notes in the ledger, write the Anki packages."""

from __future__ import annotations

import time
from pathlib import Path

import click
from tqdm import tqdm

from course import CourseError, load_course
from decks.errors import DecksError
from decks.ledger import LEDGER_PATH, Ledger
from decks.package import BuildReport, bank_digests, bank_shapes, build_package, package_filename, select_modules
from quizzes.bank import build_bank
from quizzes.errors import QuizError


def _public_url(context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    """An http(s) address, or None (an empty variable counts as unset)."""
    if not value:
        return None
    if not value.startswith(("https://", "http://")) or " " in value:
        raise click.BadParameter(f"expected an address like https://course.example.org, got {value!r}")
    return value


@click.group("decks")
def decks_group() -> None:
    """Anki decks for learners who study in Anki."""


@decks_group.command("build")
@click.option("--module", "modules", multiple=True, metavar="M",
              help="Build only this module's package (repeatable). Default: the course and every module.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/decks"),
              show_default=True, help="Folder to write the .apkg files to.")
@click.option("--ledger", "ledger_path", type=click.Path(dir_okay=False, path_type=Path), default=LEDGER_PATH,
              show_default=True, help="The note ledger to update and build from (commit it with the content).")
@click.option("--public-url", envvar="MASSAGE_COURSE_PUBLIC_URL", metavar="URL", callback=_public_url,
              help="The web app's public address; each note then links its lesson's page "
                   "(default: $MASSAGE_COURSE_PUBLIC_URL; unset: the lesson is named, not linked).")
def build_command(modules: tuple[str, ...], out: Path, ledger_path: Path, public_url: str | None) -> None:
    """Build Anki packages: one for the whole course and one per module.

    First records in the note ledger every note whose content changed, with the
    current time, so Anki updates exactly those notes in learners' collections.
    """
    try:
        bank = build_bank(load_course())
        # Check the whole request before the first file is written.
        selected = select_modules(bank, list(modules) if modules else None)
        # The whole bank, whatever the selection: the ledger describes the course.
        old = Ledger.load(ledger_path)
        digests = bank_digests(bank)
        ledger = old.updated(digests, now=int(time.time()), shapes=bank_shapes(bank))
        changed = old.stale(digests)
        if ledger != old:  # also when only the notes' shapes were added
            ledger.save(ledger_path)
        plan: list[tuple[list[str] | None, Path]] = [] if modules else [(None, out / package_filename(bank.course.id))]
        plan += [([module.id], out / package_filename(bank.course.id, module.id)) for module in selected]
        reports: list[BuildReport] = []
        for selection, path in tqdm(plan, desc="Building decks", unit="package", leave=False):
            reports.append(build_package(bank, selection, path, ledger=ledger, public_url=public_url))
    except (CourseError, QuizError, DecksError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write the decks: {error}") from None
    if ledger != old:
        click.echo(f"{ledger_path}: {len(changed)} notes changed, added or retired; commit it with the content")
    for report in reports:
        click.echo(f"wrote {report.summary()}")
