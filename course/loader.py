"""Load the course from `course/content/`, validating all of it or none of it.

Every YAML file declares what it holds with a top-level `kind:` (course, sources,
module, facts, questions); every Markdown file is a lesson with YAML front matter.
`load_course` either returns a complete `Course` or raises `CourseError` listing
every problem as `path:line: field: message`; it never returns half a course.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from course.lessons import parse_lesson
from course.models import (
    QUESTION_TYPES,
    AuthoredQuestion,
    Course,
    EndangermentSite,
    Lesson,
    Module,
    Objective,
    Review,
    Slug,
    Source,
    Strict,
    Text,
    Topic,
)
from course.problems import CourseError, Problem
from course.references import check_references
from course.yamlfile import Loc, YamlFile, format_loc

DEFAULT_CONTENT = Path(__file__).parent / "content"


class CourseFile(Strict):
    """`kind: course` — the course's own metadata (exactly one such file)."""

    kind: Literal["course"]
    id: Slug
    title: Text
    description: Text
    release: dt.date


class SourcesFile(Strict):
    """`kind: sources` — bibliography entries; any number of such files."""

    kind: Literal["sources"]
    sources: list[Source]


class ModuleFile(Module):
    """`kind: module` — one module's metadata."""

    kind: Literal["module"]


class FactsFile(Strict):
    """`kind: facts` — structured facts of one module, from which questions are generated."""

    kind: Literal["facts"]
    module: Slug
    endangerment_sites: list[EndangermentSite] = []


class QuestionsFile(Strict):
    """`kind: questions` — authored questions of one module."""

    kind: Literal["questions"]
    module: Slug
    questions: list[AuthoredQuestion]


class TopicsFile(Strict):
    """`kind: topics` — the closed vocabulary of question tags, declared once for the course."""

    kind: Literal["topics"]
    topics: list[Topic]


class ObjectivesFile(Strict):
    """`kind: objectives` — one module's learning objectives, the closed list its items test."""

    kind: Literal["objectives"]
    module: Slug
    objectives: list[Objective]


class ReviewsFile(Strict):
    """`kind: reviews` — the review ledger: verdicts on items as they read when reviewed."""

    kind: Literal["reviews"]
    reviews: list[Review]


FILE_KINDS: dict[str, type[BaseModel]] = {
    "course": CourseFile,
    "sources": SourcesFile,
    "module": ModuleFile,
    "facts": FactsFile,
    "questions": QuestionsFile,
    "topics": TopicsFile,
    "objectives": ObjectivesFile,
    "reviews": ReviewsFile,
}

FRIENDLY: dict[str, str] = {
    "missing": "required field is missing",
    "extra_forbidden": "unknown field (check the spelling)",
    "string_pattern_mismatch": "must be a slug: lowercase letters, digits and single hyphens",
    "string_too_short": "must not be empty",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
}


def load_course(root: Path | str = DEFAULT_CONTENT) -> Course:
    """Load and validate the course under `root`.

    Raises:
        CourseError: with every problem found, sorted by file and line.
    """
    course, problems = check_course(root)
    if problems or course is None:
        raise CourseError(problems)
    return course


def check_course(root: Path | str = DEFAULT_CONTENT) -> tuple[Course | None, list[Problem]]:
    """Load the course under `root`, returning it (if whole) and every problem."""
    root_text = str(root)
    root_path = Path(root)
    if not root_path.is_dir():
        return None, [Problem(root_text, 1, "", "content folder not found")]
    collected = _Collected()
    for path in sorted(root_path.rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".md"} and path.name != "README.md":
            display = os.path.join(root_text, str(path.relative_to(root_path)))
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                collected.problems.append(Problem(display, 1, "", "file is not valid UTF-8"))
                continue
            if path.suffix == ".md":
                collected.add_lesson(display, text)
            else:
                collected.add_yaml(display, text)
    course = collected.assemble(root_text)
    problems = sorted(set(collected.problems))
    return (None if problems else course), problems


class _Collected:
    """Everything read so far, with where each item came from."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.course_files: list[tuple[YamlFile, CourseFile]] = []
        self.sources: list[tuple[YamlFile, Loc, Source]] = []
        self.modules: list[tuple[YamlFile, ModuleFile]] = []
        self.sites: list[tuple[YamlFile, Loc, str, EndangermentSite]] = []
        self.questions: list[tuple[YamlFile, Loc, str, Any]] = []
        self.lessons: list[tuple[YamlFile, Lesson]] = []
        self.module_refs: list[tuple[YamlFile, Loc, str]] = []
        self.topics: list[tuple[YamlFile, Loc, Topic]] = []
        self.objectives: list[tuple[YamlFile, Loc, str, Objective]] = []
        self.reviews: list[tuple[YamlFile, Loc, Review]] = []

    def add_yaml(self, path: str, text: str) -> None:
        """Parse one YAML file and file its contents by kind."""
        parsed = YamlFile.parse(path, text)
        self.problems.extend(parsed.problems)
        if parsed.problems:
            return
        data = parsed.data
        if not isinstance(data, dict):
            self.problems.append(Problem(path, 1, "", "expected a mapping with a 'kind' key at the top"))
            return
        kind = data.get("kind")
        model = FILE_KINDS.get(str(kind))
        if model is None:
            expected = ", ".join(FILE_KINDS)
            self.problems.append(
                Problem(path, parsed.line_of(("kind",)), "kind", f"unknown file kind {kind!r} (expected one of: {expected})")
            )
            return
        loaded = self._validate(parsed, model, data)
        if loaded is None:
            return
        if isinstance(loaded, CourseFile):
            self.course_files.append((parsed, loaded))
        elif isinstance(loaded, SourcesFile):
            self.sources.extend((parsed, ("sources", i), s) for i, s in enumerate(loaded.sources))
        elif isinstance(loaded, ModuleFile):
            self.modules.append((parsed, loaded))
        elif isinstance(loaded, FactsFile):
            self.module_refs.append((parsed, ("module",), loaded.module))
            self.sites.extend(
                (parsed, ("endangerment_sites", i), loaded.module, s) for i, s in enumerate(loaded.endangerment_sites)
            )
        elif isinstance(loaded, TopicsFile):
            self.topics.extend((parsed, ("topics", i), t) for i, t in enumerate(loaded.topics))
        elif isinstance(loaded, ObjectivesFile):
            self.module_refs.append((parsed, ("module",), loaded.module))
            self.objectives.extend((parsed, ("objectives", i), loaded.module, o) for i, o in enumerate(loaded.objectives))
        elif isinstance(loaded, ReviewsFile):
            self.reviews.extend((parsed, ("reviews", i), r) for i, r in enumerate(loaded.reviews))
        elif isinstance(loaded, QuestionsFile):
            self.module_refs.append((parsed, ("module",), loaded.module))
            self.questions.extend((parsed, ("questions", i), loaded.module, q) for i, q in enumerate(loaded.questions))

    def add_lesson(self, path: str, text: str) -> None:
        """Parse one Markdown lesson (front matter, sections, citations)."""
        lesson, problems, front = parse_lesson(path, text)
        self.problems.extend(problems)
        if lesson is not None and front is not None:
            self.lessons.append((front, lesson))

    def _validate(self, parsed: YamlFile, model: type[BaseModel], data: Any) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            self.problems.extend(validation_problems(parsed, error))
            return None

    def assemble(self, root: str) -> Course | None:
        """Check cross-file rules and build the Course if nothing is wrong."""
        if len(self.course_files) != 1:
            found = ", ".join(f.path for f, _ in self.course_files) or "none"
            self.problems.append(Problem(root, 1, "", f"expected exactly one 'kind: course' file, found {found}"))
        self.problems.extend(check_references(self))
        if self.problems:
            return None
        meta = self.course_files[0][1]
        return Course(
            id=meta.id,
            title=meta.title,
            description=meta.description,
            release=meta.release,
            modules=sorted((Module(**m.model_dump(exclude={"kind"})) for _, m in self.modules), key=lambda m: (m.order, m.id)),
            lessons=[lesson for _, lesson in self.lessons],
            sources=[source for _, _, source in self.sources],
            sites=[site for _, _, _, site in self.sites],
            questions=[question for _, _, _, question in self.questions],
            question_modules={question.id: module for _, _, module, question in self.questions},
            topics=[topic for _, _, topic in self.topics],
            objectives=[objective for _, _, _, objective in self.objectives],
            objective_modules={objective.id: module for _, _, module, objective in self.objectives},
            reviews=[review for _, _, review in self.reviews],
            locations={
                **{s.id: f"{f.path}:{f.line_of(loc)}" for f, loc, _, s in self.sites},
                **{q.id: f"{f.path}:{f.line_of(loc)}" for f, loc, _, q in self.questions},
            },
        )


def validation_problems(parsed: YamlFile, error: ValidationError) -> list[Problem]:
    """Turn a pydantic error into located problems, one per failing field."""
    problems = []
    for detail in error.errors():
        loc = _strip_union_tags(tuple(detail["loc"]))
        kind = detail["type"]
        if kind == "union_tag_invalid":
            tag = (detail.get("ctx") or {}).get("tag")
            message = f"unknown question type {tag!r} (expected one of: {', '.join(QUESTION_TYPES)})"
            loc = loc + ("type",)
        elif kind == "union_tag_not_found":
            message = f"required field is missing (one of: {', '.join(QUESTION_TYPES)})"
            loc = loc + ("type",)
        elif kind in FRIENDLY:
            message = FRIENDLY[kind]
            given = detail.get("input")
            if kind not in {"missing", "extra_forbidden", "string_too_short"} and isinstance(given, (str, int, float, bool)):
                message += f" (got {given!r})"
        else:
            message = str(detail["msg"]).removeprefix("Value error, ")
            given = detail.get("input")
            if kind != "value_error" and isinstance(given, (str, int, float, bool)):
                message += f" (got {given!r})"
        problems.append(Problem(parsed.path, parsed.line_of(loc), format_loc(loc), message))
    return problems


def _strip_union_tags(loc: Loc) -> Loc:
    # pydantic puts the discriminator's value into the path of a union member;
    # it names no key in the file, so it is dropped.
    kept: list[int | str] = []
    for index, part in enumerate(loc):
        if part in QUESTION_TYPES and index > 0 and isinstance(loc[index - 1], int):
            continue
        kept.append(part)
    return tuple(kept)
