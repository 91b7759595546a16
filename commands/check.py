"""`massage-course check`: validate the course, build the question bank, review it, print the figures.

The content schema lives in `course`; whether the whole bank (authored plus
generated questions) can be built, and whether it is fit for graded tests
(`quizzes.quality`), is known only to `quizzes`, so the command that checks
all of it sits here, above them.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from course.loader import DEFAULT_CONTENT, check_course
from course.summary import summary
from quizzes.bank import build_bank
from quizzes.errors import QuizError
from quizzes.quality import review
from quizzes.questions import TYPE_LABELS


@click.command("check")
@click.option("--content", type=click.Path(path_type=Path), default=DEFAULT_CONTENT, show_default=False,
              help="Content folder (default: the packaged course).")
@click.option("--quiet-warnings", is_flag=True, help="Count the review's warnings without listing them.")
def check_command(content: Path, quiet_warnings: bool) -> None:
    """Validate the course content; print a summary and the review's figures, or every problem and exit 1."""
    course, problems = check_course(content)
    messages = [str(problem) for problem in problems]
    bank = None
    if course is not None:
        try:
            bank = build_bank(course)
        except QuizError as error:
            messages.extend(error.problems)
    report = review(bank) if bank is not None else None
    if report is not None:
        messages.extend(str(finding) for finding in report.errors)
    if messages or course is None or bank is None or report is None:
        for message in messages:
            click.echo(message, err=True)
        if report is not None:
            click.echo("\n".join(report.lines()), err=True)
        count = len(messages)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
        raise SystemExit(1)
    click.echo(summary(course))
    by_type: Counter[str] = Counter(question.type for question in bank)
    by_module = Counter(question.module for question in bank)
    authored = sum(question.origin == "authored" for question in bank)
    click.echo(f"question bank: {len(bank)} questions ({authored} authored, {len(bank) - authored} generated)")
    click.echo("  by type: " + ", ".join(f"{TYPE_LABELS[kind].lower()} {by_type[kind]}" for kind in TYPE_LABELS if by_type[kind]))
    click.echo("  by module: " + ", ".join(f"{module.id} {by_module[module.id]}" for module in course.modules))
    click.echo("\n".join(report.lines()))
    if not quiet_warnings:
        for finding in report.warnings:
            click.echo(f"warning: {finding}")
