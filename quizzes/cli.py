"""`massage-course export`: the whole question bank as GIFT or Moodle XML."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click

from course import CourseError, load_course
from quizzes.bank import build_bank
from quizzes.errors import QuizError
from quizzes.export_gift import to_gift
from quizzes.export_moodle import to_moodle_xml

FORMATS = {"gift": to_gift, "moodle": to_moodle_xml}


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), required=True,
              help="gift (plain text) or moodle (Moodle XML).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write ('-' for standard output).")
@click.option("--content", type=click.Path(path_type=Path), default=None,
              help="Content folder (default: the packaged course).")
def export_command(fmt: str, out: Path, content: Path | None) -> None:
    """Export every question for a learning platform (Moodle and others import both formats)."""
    try:
        bank = build_bank(load_course(content) if content else load_course())
    except (CourseError, QuizError) as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error
    text = FORMATS[fmt](bank)
    if str(out) == "-":
        click.echo(text, nl=False)
        return
    write_or_exit(out, text)
    click.echo(f"wrote {len(bank)} questions to {out} ({fmt})")


def write_or_exit(path: Path, text: str) -> None:
    """`write_atomically`, or the reason it could not, as one line on stderr and exit status 1."""
    try:
        write_atomically(path, text)
    except OSError as error:
        click.echo(f"cannot write {path}: {error.strerror or error}", err=True)
        raise SystemExit(1) from error


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` via a temporary file in the same folder, so a failure leaves nothing half-written."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
