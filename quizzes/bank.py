"""The question bank: every authored and generated question of a course.

`build_bank(course)` is the one entry point. It is pure and deterministic: the
same course gives the same questions, ids and option orders, so a learner's
history and an Anki note stay attached to the same item across rebuilds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Iterator, Mapping

from course.models import Course, Module
from quizzes.authored import convert
from quizzes.errors import QuizError
from quizzes.facts import SiteFacts
from quizzes.generators import generate
from quizzes.questions import ChoiceQuestion, HotspotQuestion, MatchingQuestion, Question


@dataclass(frozen=True, eq=False)
class Bank:
    """All questions of a course, in module order then id, with lookups.

    Compared and hashed by identity, so callers (the planner) can cache
    per-bank indexes keyed by the bank itself.
    """

    course: Course
    questions: tuple[Question, ...]
    # Every question id, for set operations (which of a learner's items are still taught).
    ids: frozenset[str] = field(init=False, repr=False)
    _by_id: Mapping[str, Question] = field(init=False, repr=False)
    _by_module: Mapping[str, tuple[Question, ...]] = field(init=False, repr=False)
    _by_lesson: Mapping[str, tuple[Question, ...]] = field(init=False, repr=False)
    _by_objective: Mapping[str, tuple[Question, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_module: dict[str, list[Question]] = {}
        by_lesson: dict[str, list[Question]] = {}
        by_objective: dict[str, list[Question]] = {}
        for question in self.questions:
            by_module.setdefault(question.module, []).append(question)
            by_lesson.setdefault(question.lesson, []).append(question)
            if question.objective:
                by_objective.setdefault(question.objective, []).append(question)
        object.__setattr__(self, "ids", frozenset(q.id for q in self.questions))
        object.__setattr__(self, "_by_id", MappingProxyType({q.id: q for q in self.questions}))
        object.__setattr__(self, "_by_module", MappingProxyType({k: tuple(v) for k, v in by_module.items()}))
        object.__setattr__(self, "_by_lesson", MappingProxyType({k: tuple(v) for k, v in by_lesson.items()}))
        object.__setattr__(self, "_by_objective", MappingProxyType({k: tuple(v) for k, v in by_objective.items()}))

    @property
    def modules(self) -> list[Module]:
        """The course's modules, in teaching order."""
        return self.course.modules

    def get(self, item_id: str) -> Question | None:
        """The question with this id, or None."""
        return self._by_id.get(item_id)

    def by_module(self, module_id: str) -> tuple[Question, ...]:
        """The module's questions, by id (empty for an unknown module)."""
        return self._by_module.get(module_id, ())

    def by_lesson(self, lesson_id: str) -> tuple[Question, ...]:
        """The lesson's questions, by id (empty for an unknown lesson)."""
        return self._by_lesson.get(lesson_id, ())

    def by_objective(self, objective_id: str) -> tuple[Question, ...]:
        """The items testing one objective, by id (empty for an unknown objective)."""
        return self._by_objective.get(objective_id, ())

    @property
    def objectives(self) -> tuple[str, ...]:
        """Every objective some item tests, sorted."""
        return tuple(sorted(self._by_objective))

    def objective_text(self, objective_id: str) -> str:
        """What an objective asks of a therapist, in plain words.

        Authored objectives are declared with their text; the generated items'
        objectives are named for what they cover: a site of the table
        (`site--<site id>`, its name), or a matching table (its instruction and
        the half of the body it covers).
        """
        for objective in self.course.objectives:
            if objective.id == objective_id:
                return objective.text
        family, _, content_id = objective_id.partition("--")
        if family == "site":
            for site in self.course.sites:
                if site.id == content_id:
                    return site.name
        items = self.by_objective(objective_id)
        if not items:
            return objective_id
        # A matching table per half of the body: the same instruction twice, told apart by the half.
        return f"{items[0].stem.rstrip('.')} ({content_id.replace('-', ' ')})" if content_id else items[0].stem

    def siblings(self, item_id: str) -> tuple[str, ...]:
        """Ids of the other items testing the same objective (none for an item without one)."""
        question = self._by_id.get(item_id)
        if question is None or not question.objective:
            return ()
        return tuple(q.id for q in self._by_objective[question.objective] if q.id != item_id)

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._by_id

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)


def build_bank(course: Course) -> Bank:
    """Convert the authored questions, generate the rest, check and order them all.

    Raises:
        QuizError: listing every problem (duplicate ids, hotspot regions that are
            not endangerment sites, repeated options or pairs, unknown modules).
    """
    facts = SiteFacts.of(course)
    problems: list[str] = []
    made: list[Question] = []
    for item in course.questions:
        module = course.question_modules.get(item.id)
        if module is None:
            problems.append(f"{item.id}: not listed in course.question_modules")
            continue
        made.append(convert(item, module, course.release, facts.site_ids))
    made.extend(generate(facts))
    problems.extend(check(made, course, set(facts.site_ids)))
    if problems:
        raise QuizError(problems)
    order = {module.id: index for index, module in enumerate(course.modules)}
    made.sort(key=lambda question: (order.get(question.module, len(order)), question.id))
    return Bank(course=course, questions=tuple(made))


def check(questions: list[Question], course: Course, sites: set[str]) -> list[str]:
    """Every problem that would make the bank unusable, one line each."""
    problems = []
    modules = {module.id for module in course.modules}
    seen: set[str] = set()
    for question in questions:
        where = f"{question.id}:"
        if question.id in seen:
            problems.append(f"{where} duplicate question id")
        seen.add(question.id)
        if question.module not in modules:
            problems.append(f"{where} unknown module '{question.module}'")
        if isinstance(question, HotspotQuestion) and question.region not in sites:
            problems.append(f"{where} body-map region '{question.region}' is not an endangerment site")
        if isinstance(question, ChoiceQuestion):
            problems.extend(_repeats(where, "option id", [o.id for o in question.options]))
            problems.extend(_repeats(where, "option text", [o.text.casefold() for o in question.options]))
        if isinstance(question, MatchingQuestion):
            for side in ("id", "left", "right"):
                problems.extend(_repeats(where, f"pair {side}", [getattr(p, side).casefold() for p in question.pairs]))
    return problems


def _repeats(where: str, what: str, values: list[str]) -> list[str]:
    repeated = sorted({value for value in values if values.count(value) > 1})
    return [f"{where} repeated {what} '{value}'" for value in repeated]
