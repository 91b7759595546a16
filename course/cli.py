"""`massage-course check`: validate the course and print what it holds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from course.loader import DEFAULT_CONTENT, check_course
from course.models import Course


@click.command("check")
@click.option("--content", type=click.Path(path_type=Path), default=DEFAULT_CONTENT, show_default=False,
              help="Content folder (default: the packaged course).")
def check_command(content: Path) -> None:
    """Validate the course content; print a summary, or every problem and exit 1."""
    course, problems = check_course(content)
    if problems or course is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        count = len(problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
        raise SystemExit(1)
    click.echo(summary(course))


def summary(course: Course) -> str:
    """A plain-text summary: modules, lessons, facts, authored questions by type and module, sources."""
    lines = [f"{course.title} (release {course.release})"]
    by_module = Counter(course.question_modules.values())
    for module in course.modules:
        lessons = len(course.lessons_of(module.id))
        lines.append(f"  {module.id}: {lessons} lessons, {by_module.get(module.id, 0)} authored questions")
    by_type = Counter(question.type for question in course.questions)
    lines.append(f"lessons: {len(course.lessons)}")
    lines.append(f"facts: {len(course.sites)} endangerment sites, "
                 f"{sum(len(site.structures) for site in course.sites)} structures at risk")
    types = ", ".join(f"{kind} {count}" for kind, count in sorted(by_type.items())) or "none"
    lines.append(f"authored questions: {len(course.questions)} ({types})")
    lines.append(f"sources: {len(course.sources)}")
    return "\n".join(lines)
