"""Cross-file rules: unique ids, and every reference resolving to something real.

Separate from the per-file schema because these rules need the whole course at
once: a question may cite a source defined in another module's folder.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable

from course.objectives import check_objectives
from course.problems import Problem
from course.yamlfile import Loc, YamlFile, format_loc

if TYPE_CHECKING:
    from course.loader import _Collected


def check_references(c: _Collected) -> list[Problem]:
    """Every cross-reference problem in the collected content."""
    problems: list[Problem] = []

    def at(file: YamlFile, loc: Loc, message: str) -> None:
        problems.append(Problem(file.path, file.line_of(loc), format_loc(loc), message))

    module_ids = _unique(at, "module", ((f, ("id",), m.id) for f, m in c.modules))
    source_ids = _unique(at, "source", ((f, loc + ("id",), s.id) for f, loc, s in c.sources))
    site_ids = _unique(at, "site", ((f, loc + ("id",), s.id) for f, loc, _, s in c.sites))
    _unique(at, "lesson", ((f, ("id",), l.id) for f, l in c.lessons))
    question_ids = _unique(at, "question", ((f, loc + ("id",), q.id) for f, loc, _, q in c.questions))
    lesson_module = {lesson.id: lesson.module for _, lesson in c.lessons}

    for file, loc, module in c.module_refs:
        if module not in module_ids:
            at(file, loc, f"unknown module '{module}'")
    for file, lesson in c.lessons:
        if lesson.module not in module_ids:
            at(file, ("module",), f"unknown module '{lesson.module}'")
        for section in lesson.sections:
            for source in section.sources:
                if source not in source_ids:
                    problems.append(Problem(file.path, section.line, "section", f"unknown source '{source}' in section '{section.heading}'"))
    for file, loc, entry in c.sources:
        if entry.cited_in and entry.cited_in not in source_ids:
            at(file, loc + ("cited_in",), f"unknown source '{entry.cited_in}'")
    for file, loc, module, site in c.sites:
        _check_sources(at, file, loc, site.sources, source_ids)
        if module in module_ids:
            _check_lesson(at, file, loc, site.lesson, module, lesson_module)
    for file, loc, module, question in c.questions:
        _check_sources(at, file, loc, question.sources, source_ids)
        if module in module_ids:  # an unknown module is reported once, above
            _check_lesson(at, file, loc, question.lesson, module, lesson_module)
        if question.type == "hotspot" and question.region not in site_ids:
            at(file, loc + ("region",), f"unknown body-map region '{question.region}' (must be an endangerment-site id)")
        _check_declared_links(at, file, loc, question, question_ids)
    problems.extend(check_topics(c))
    problems.extend(check_objectives(c, source_ids))
    return problems


def _check_declared_links(at: Any, file: YamlFile, loc: Loc, question: Any, question_ids: set[str]) -> None:
    # A declaration that names no real item would silence nothing and hide a typo.
    # Generated ids ("--") exist only once the bank is built; quizzes.quality checks those.
    if question.variant_of is not None:
        if question.variant_of == question.id:
            at(file, loc + ("variant_of",), "a question cannot be a variant of itself")
        elif "--" not in question.variant_of and question.variant_of not in question_ids:
            at(file, loc + ("variant_of",), f"unknown question '{question.variant_of}'")
    for index, other in enumerate(question.distinct_from):
        if other == question.id:
            at(file, loc + ("distinct_from", index), "a question cannot be distinct from itself")
        elif "--" not in other and other not in question_ids:
            at(file, loc + ("distinct_from", index), f"unknown question '{other}'")


# A topic carried by a single item groups nothing; it is a typo or a one-off.
MIN_TOPIC_USES = 2


def check_topics(c: _Collected) -> list[Problem]:
    """Tags must come from the declared vocabulary, and every topic must tag at least two items."""
    problems: list[Problem] = []

    def at(file: YamlFile, loc: Loc, message: str) -> None:
        problems.append(Problem(file.path, file.line_of(loc), format_loc(loc), message))

    declared = _unique(at, "topic", ((f, loc + ("id",), t.id) for f, loc, t in c.topics))
    uses: defaultdict[str, int] = defaultdict(int)
    for file, loc, _, question in c.questions:
        for index, tag in enumerate(question.tags):
            uses[tag] += 1
            if tag not in declared:
                at(file, loc + ("tags", index), f"unknown topic '{tag}' (declare it in a 'kind: topics' file or use a declared one)")
        if len(set(question.tags)) != len(question.tags):
            at(file, loc + ("tags",), "repeats a topic")
    for file, loc, topic in c.topics:
        if uses[topic.id] < MIN_TOPIC_USES:
            at(file, loc + ("id",), f"topic '{topic.id}' tags {uses[topic.id]} question(s); a topic needs at least {MIN_TOPIC_USES} (merge or cut it)")
    return problems


def _unique(at: Any, what: str, items: Iterable[tuple[YamlFile, Loc, str]]) -> set[str]:
    first: dict[str, str] = {}
    seen: defaultdict[str, int] = defaultdict(int)
    for file, loc, value in items:
        seen[value] += 1
        if value in first:
            at(file, loc, f"duplicate {what} id '{value}' (first defined in {first[value]})")
        else:
            first[value] = f"{file.path}:{file.line_of(loc)}"
    return set(first)


def _check_sources(at: Any, file: YamlFile, loc: Loc, sources: list[str], known: set[str]) -> None:
    for index, source in enumerate(sources):
        if source not in known:
            at(file, loc + ("sources", index), f"unknown source '{source}'")


def _check_lesson(at: Any, file: YamlFile, loc: Loc, lesson: str, module: str, lesson_module: dict[str, str]) -> None:
    if lesson not in lesson_module:
        at(file, loc + ("lesson",), f"unknown lesson '{lesson}'")
    elif lesson_module[lesson] != module:
        at(file, loc + ("lesson",), f"lesson '{lesson}' belongs to module '{lesson_module[lesson]}', not '{module}'")
