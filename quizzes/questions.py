"""Typed question models, independent of how a question is shown.

These are the one shape every consumer sees: the web app renders them as forms,
the Anki export as notes, the GIFT/Moodle export as text. A question's `id` is
its identity everywhere (question id = Anki GUID source = database key), and it
always comes from a content id, never from a position.

Responses, by type (what `grade` accepts):
- mcq: the chosen option id (str)
- multi: the chosen option ids (list[str])
- truefalse: bool
- cloze: one string per blank (list[str])
- matching: {pair id: pair id whose right-hand side was chosen} (dict[str, str])
- hotspot: the chosen region id (str, an endangerment-site id)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

QuestionType = Literal["mcq", "multi", "truefalse", "cloze", "matching", "hotspot"]
Origin = Literal["authored", "generated"]
Outcome = Literal["correct", "partial", "incorrect", "invalid"]

TYPE_LABELS: dict[str, str] = {
    "mcq": "Multiple choice",
    "multi": "Multiple select",
    "truefalse": "True or false",
    "cloze": "Fill in the blank",
    "matching": "Matching",
    "hotspot": "Body map",
}


@dataclass(frozen=True, slots=True)
class Choice:
    """An option of a choice question, in the order it is shown."""

    id: str
    text: str
    correct: bool
    why: str
    unsafe: bool = False


@dataclass(frozen=True, slots=True)
class Pair:
    """A left/right pair of a matching question."""

    id: str
    left: str
    right: str


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields shared by every question type."""

    id: str
    type: QuestionType
    module: str
    lesson: str
    stem: str
    explanation: str
    sources: tuple[str, ...]
    mblex: str
    difficulty: int
    safety_critical: bool
    tags: tuple[str, ...] = ()
    origin: Origin = "authored"
    # Endangerment-site ids the question teaches (the instructor's body map is
    # shaded by them); empty for questions about no particular site.
    sites: tuple[str, ...] = ()
    # The date the item last changed (content `updated`, else the course
    # release). Anki note times do not come from it: decks/notes.lock records
    # the second each note's content last changed.
    updated: dt.date = dt.date(2026, 1, 1)
    # The learning objective the item tests; items sharing one are siblings
    # (never two on one day, at most one per exam). Authored items name a
    # declared objective; a generated item's objective comes from its site
    # (`quizzes.generators`). Empty when the content names none yet.
    objective: str = ""
    # How it asks the objective: "recognise", "apply" or "explain" ("" if unset).
    angle: str = ""


@dataclass(frozen=True, kw_only=True)
class ChoiceQuestion(Question):
    """Single best answer (type 'mcq') or multiple select (type 'multi')."""

    options: tuple[Choice, ...] = field(default=())

    @property
    def correct_ids(self) -> frozenset[str]:
        """Ids of the correct options."""
        return frozenset(option.id for option in self.options if option.correct)


@dataclass(frozen=True, kw_only=True)
class TrueFalseQuestion(Question):
    """A statement to judge; `reason` is shown after answering."""

    answer: bool
    reason: str


@dataclass(frozen=True, kw_only=True)
class ClozeQuestion(Question):
    """`text` with blanks written {{1}}, {{2}}…; `blanks[i]` lists accepted answers of blank i+1."""

    text: str
    blanks: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, kw_only=True)
class MatchingQuestion(Question):
    """Match each left item to a right item; `right_order` is the shown order of right sides."""

    pairs: tuple[Pair, ...]
    right_order: tuple[str, ...]  # pair ids, deterministically shuffled


@dataclass(frozen=True, kw_only=True)
class HotspotQuestion(Question):
    """Pick `region` on the body map out of `regions` (endangerment-site ids)."""

    region: str
    regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PartResult:
    """One part of a multi-part answer (an option, a blank, a pair)."""

    key: str
    correct: bool
    expected: str
    given: str


@dataclass(frozen=True)
class Grade:
    """The result of grading one response."""

    outcome: Outcome
    score: float  # 0..1, share of parts right
    message: str  # for the learner: what was wrong, or why the input is invalid
    parts: tuple[PartResult, ...] = ()
    unsafe_chosen: tuple[str, ...] = ()  # option ids marked unsafe that were picked

    @property
    def is_valid(self) -> bool:
        """False when the response could not be graded at all."""
        return self.outcome != "invalid"
