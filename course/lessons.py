"""Parse Markdown lessons: YAML front matter, `##` sections and `[@source]` citations.

A lesson file looks like:

    ---
    id: why-nerves-are-rarely-hurt
    module: nerves
    title: Why nerves are rarely hurt
    order: 1
    summary: One sentence saying what the lesson teaches.
    ---
    Introductory paragraph citing a source [@ingraham-nerves].

    ## A section
    Text… [@ingraham-nerves; @hsu-2017]

Every section (and a non-empty introduction) must cite at least one source;
the references module checks that each cited id exists.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from course.models import Lesson, LessonSection, Slug, Strict, Text
from course.problems import Problem
from course.yamlfile import YamlFile

CITATION = re.compile(r"\[(@[^\]]+)\]")
HEADING = re.compile(r"^##\s+(.+?)\s*$")


class LessonFront(Strict):
    """The front matter every lesson starts with."""

    id: Slug
    module: Slug
    title: Text
    order: int
    summary: Text


def cited_ids(text: str) -> list[str]:
    """Source ids cited in `text` as `[@a]` or `[@a; @b]`, in order."""
    ids: list[str] = []
    for group in CITATION.findall(text):
        ids.extend(part.strip().lstrip("@") for part in group.split(";") if part.strip())
    return ids


def parse_lesson(path: str, text: str) -> tuple[Lesson | None, list[Problem], YamlFile | None]:
    """Parse one lesson file into a Lesson, or the problems that prevent it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [Problem(path, 1, "", "a lesson must start with '---' and YAML front matter")], None
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        return None, [Problem(path, 1, "", "front matter is not closed by a second '---' line")], None
    front = YamlFile.parse(path, "\n".join(lines[1:end]), line_offset=1)
    if front.problems:
        return None, front.problems, None
    if not isinstance(front.data, dict):
        return None, [Problem(path, 2, "", "front matter must be a mapping")], None
    try:
        meta = LessonFront.model_validate(front.data)
    except ValidationError as error:
        from course.loader import validation_problems  # the loader owns error wording

        return None, validation_problems(front, error), None
    body_lines = lines[end + 1 :]
    sections, problems = _sections(path, body_lines, first_line=end + 2)
    body = "\n".join(body_lines).strip() + "\n"
    if not any(section.heading != "Introduction" for section in sections):
        problems.append(Problem(path, end + 2, "body", "a lesson needs at least one '## ' section"))
    lesson = Lesson(**meta.model_dump(), body=body, sections=sections, path=path)
    return lesson, problems, front


def _sections(path: str, lines: list[str], first_line: int) -> tuple[list[LessonSection], list[Problem]]:
    sections: list[LessonSection] = []
    problems: list[Problem] = []
    heading, start, chunk = "Introduction", first_line, []  # type: ignore[var-annotated]

    def close() -> None:
        content = "\n".join(chunk).strip()
        if heading == "Introduction" and not content:
            return
        ids = cited_ids(content)
        if not ids:
            problems.append(Problem(path, start, "section", f"section '{heading}' cites no source (add [@source-id])"))
        sections.append(LessonSection(heading=heading, line=start, sources=ids))

    for offset, line in enumerate(lines):
        match = HEADING.match(line)
        if match:
            close()
            heading, start, chunk = match.group(1), first_line + offset, []
        else:
            chunk.append(line)
    close()
    return sections, problems
