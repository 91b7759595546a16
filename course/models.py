"""Typed models of the course content: what an author writes, once validated.

Each model declares its fields once, with the reason for any constraint beside it,
so that the schema documents itself (mkdocs-style). The loader turns YAML and
Markdown files into these models; nothing else constructs them from raw data.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

# Ids are the spine of the system (question id, Anki GUID, database key), so
# they are lowercase slugs that survive URLs, file names and SQL untouched.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=80)]
# A question id an author may point at: an authored slug, or a generated id
# (`<family>--<content id>`), whose double hyphen no authored slug can hold.
ItemRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:--?[a-z0-9]+)*$", min_length=2, max_length=120)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

CLOZE_BLANK = re.compile(r"\{\{(\d+)\}\}")


# The ways one objective may be asked on purpose: recognise the fact, apply it
# to a client in a scenario, explain why.
Angle = Literal["recognise", "apply", "explain"]


class Strict(BaseModel):
    """Base for content models: unknown keys are typos, so they are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MblexArea(str, Enum):
    """Content areas of the MBLEx licensing examination outline."""

    ANATOMY = "anatomy-physiology"
    KINESIOLOGY = "kinesiology"
    PATHOLOGY = "pathology-contraindications"
    BENEFITS = "benefits-effects"
    ASSESSMENT = "client-assessment"
    ETHICS = "ethics-laws"
    PRACTICE = "professional-practice"

    @property
    def label(self) -> str:
        """The area's name as the examination outline spells it."""
        return MBLEX_LABELS[self]


MBLEX_LABELS: dict[MblexArea, str] = {
    MblexArea.ANATOMY: "Anatomy & Physiology",
    MblexArea.KINESIOLOGY: "Kinesiology",
    MblexArea.PATHOLOGY: "Pathology, Contraindications, Areas of Caution, Special Populations",
    MblexArea.BENEFITS: "Benefits and Physiological Effects of Techniques",
    MblexArea.ASSESSMENT: "Client Assessment, Reassessment and Treatment Planning",
    MblexArea.ETHICS: "Ethics, Boundaries, Laws and Regulations",
    MblexArea.PRACTICE: "Guidelines for Professional Practice",
}


class Evidence(str, Enum):
    """How far a source can be trusted; anecdotes are never taught as findings."""

    PEER_REVIEWED = "peer-reviewed"
    REFERENCED = "referenced"
    NEWS = "news"
    UNREFERENCED = "unreferenced"
    ANECDOTE = "anecdote"


class Source(Strict):
    """A bibliography entry that lessons and questions cite by id."""

    id: Slug
    authors: list[Text] = Field(min_length=1)
    title: Text
    year: int = Field(ge=1900, le=2100)
    publication: Text
    evidence: Evidence
    pmid: int | None = None
    url: str | None = None
    # A paper known through an article cites the article it was found in.
    cited_in: Slug | None = None
    note: str | None = None

    def citation(self) -> str:
        """A one-line citation: authors (year). Title. Publication. PubMed id.

        A part that already ends a sentence ("Do massage therapists injure
        nerves?") takes no extra full stop.
        """
        parts = [f"{', '.join(self.authors)} ({self.year})", self.title, self.publication]
        if self.pmid:
            parts.append(f"PubMed {self.pmid}")
        return " ".join(part if part.endswith((".", "?", "!")) else part + "." for part in parts if part)


class StructureKind(str, Enum):
    """What kind of structure lies at risk at an endangerment site."""

    NERVE = "nerve"
    ARTERY = "artery"
    VEIN = "vein"
    ORGAN = "organ"
    GLAND = "gland"


class Structure(Strict):
    """One anatomical structure at risk at a site."""

    id: Slug
    name: Text
    kind: StructureKind


class BodyView(str, Enum):
    """Which side of the body map shows a site."""

    FRONT = "front"
    BACK = "back"


class EndangermentSite(Strict):
    """A row of the conventional endangerment-site table."""

    id: Slug
    name: Text
    location: Text  # plain English, as a client would say it
    region: Text  # body region, for grouping (neck, arm, trunk, leg, head)
    view: BodyView
    structures: list[Structure] = Field(min_length=1)
    sources: list[Slug] = Field(min_length=1)
    lesson: Slug
    note: str | None = None
    safety_critical: bool = True
    updated: dt.date | None = None

    @field_validator("structures")
    @classmethod
    def _unique_structures(cls, value: list[Structure]) -> list[Structure]:
        seen: set[str] = set()
        for structure in value:
            if structure.id in seen:
                raise ValueError(f"duplicate structure id '{structure.id}'")
            seen.add(structure.id)
        return value


class Option(Strict):
    """A choice in a multiple-choice or multiple-select question."""

    id: Slug  # authored, never derived from the option's position or text
    text: Text
    correct: bool = False
    why: Text  # why this option is right, or why it is wrong
    unsafe: bool = False  # choosing it in practice would put a client at risk


class QuestionCommon(Strict):
    """Fields every authored question carries."""

    id: Slug
    lesson: Slug
    stem: Text
    explanation: Text
    sources: list[Slug] = Field(min_length=1)
    mblex: MblexArea
    difficulty: int = Field(ge=1, le=3)
    safety_critical: bool = False
    # Topics from the closed vocabulary in `topics.yaml` (Anki tags, filters).
    tags: list[Slug] = Field(default_factory=list)
    updated: dt.date | None = None
    # A clinical vignette: a client, a finding during the session, what the
    # therapist does next. Counted by `massage-course check`.
    scenario: bool = False
    # Items the near-duplicate check would pair with this one, declared on
    # purpose: `variant_of` for a deliberate rewording of another item (a learner
    # sees both), `distinct_from` for similar wording that tests a different fact.
    variant_of: ItemRef | None = None
    distinct_from: list[ItemRef] = Field(default_factory=list)
    # The learning objective this item tests (`kind: objectives`). Items of one
    # objective are siblings: never two on one day, at most one per exam.
    objective: Slug | None = None
    # How the item asks its objective; siblings must each ask a different way.
    angle: Angle | None = None
    # Why the key may be longer than 1.3x its longest distractor (the check
    # otherwise reports it: test-wise learners pick the longest option).
    long_key_reason: Text | None = None


class McqQuestion(QuestionCommon):
    """Single best answer: exactly one option is correct."""

    type: Literal["mcq"]
    options: list[Option] = Field(min_length=3, max_length=6)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Option]) -> list[Option]:
        correct = sum(option.correct for option in options)
        if correct != 1:
            raise ValueError(f"needs exactly one correct option, has {correct}")
        _check_unique_options(options)
        return options


class MultiQuestion(QuestionCommon):
    """Multiple select: at least one option right and at least one wrong."""

    type: Literal["multi"]
    options: list[Option] = Field(min_length=3, max_length=8)

    @field_validator("options")
    @classmethod
    def _some_correct(cls, options: list[Option]) -> list[Option]:
        correct = sum(option.correct for option in options)
        if correct == 0:
            raise ValueError("has no correct option")
        if correct == len(options):
            raise ValueError("has no incorrect option")
        _check_unique_options(options)
        return options


class TrueFalseQuestion(QuestionCommon):
    """A statement to judge; the reason is shown after answering."""

    type: Literal["truefalse"]
    answer: bool
    reason: Text


class ClozeQuestion(QuestionCommon):
    """A sentence with blanks written {{1}}, {{2}}…; each blank lists accepted answers."""

    type: Literal["cloze"]
    text: Text
    blanks: list[list[Text]] = Field(min_length=1, max_length=5)

    @model_validator(mode="after")
    def _blanks_match(self) -> ClozeQuestion:
        numbers = [int(n) for n in CLOZE_BLANK.findall(self.text)]
        expected = list(range(1, len(self.blanks) + 1))
        if sorted(numbers) != expected:
            raise ValueError(
                f"text has blanks {numbers or 'none'} but {len(self.blanks)} answer list(s); "
                f"write {{{{1}}}}..{{{{{len(self.blanks)}}}}} once each"
            )
        for index, answers in enumerate(self.blanks, start=1):
            if not answers:
                raise ValueError(f"blank {index} has no accepted answer")
        return self


class MatchPair(Strict):
    """One pair of a matching question; the id keeps the pair's identity."""

    id: Slug
    left: Text
    right: Text


class MatchingQuestion(QuestionCommon):
    """Match 4–6 items on the left to items on the right."""

    type: Literal["matching"]
    pairs: list[MatchPair] = Field(min_length=4, max_length=6)

    @field_validator("pairs")
    @classmethod
    def _distinct(cls, pairs: list[MatchPair]) -> list[MatchPair]:
        for side in ("id", "left", "right"):
            values = [getattr(pair, side).casefold() for pair in pairs]
            if len(set(values)) != len(values):
                raise ValueError(f"pairs repeat a {side}")
        return pairs


class HotspotQuestion(QuestionCommon):
    """Pick a region on the body map; the answer is an endangerment-site id."""

    type: Literal["hotspot"]
    region: Slug


AuthoredQuestion = Annotated[
    Union[McqQuestion, MultiQuestion, TrueFalseQuestion, ClozeQuestion, MatchingQuestion, HotspotQuestion],
    Field(discriminator="type"),
]

QUESTION_TYPES: tuple[str, ...] = ("mcq", "multi", "truefalse", "cloze", "matching", "hotspot")


def _check_unique_options(options: list[Option]) -> None:
    ids = [option.id for option in options]
    texts = [option.text.casefold() for option in options]
    if len(set(ids)) != len(ids):
        raise ValueError("option ids repeat")
    if len(set(texts)) != len(texts):
        raise ValueError("option texts repeat")


class Objective(Strict):
    """One thing a therapist must know or do, in plain words; the unit of the course."""

    id: Slug
    text: Text  # "Recognise a pulse under the fingers and move off it"
    mblex: MblexArea
    safety_critical: bool = False
    sources: list[Slug] = Field(min_length=1)


class Review(Strict):
    """One reviewer's verdict on one item as it read on that day (the review ledger)."""

    item: ItemRef
    digest: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12,64}$")]  # of what the item shows
    date: dt.date
    verdict: Literal["pass", "rewritten", "fail"]
    note: Text | None = None


class Topic(Strict):
    """A topic of the closed tag vocabulary; questions may carry only declared topics."""

    id: Slug
    about: Text  # what an item tagged with it teaches, so authors pick the same tag


class LessonSection(Strict):
    """A `## heading` of a lesson, with the sources it cites."""

    heading: Text
    line: int
    sources: list[str]


class Lesson(Strict):
    """A Markdown lesson; its front matter names it, its body teaches."""

    id: Slug
    module: Slug
    title: Text
    order: int = Field(ge=0)
    summary: Text
    body: str
    sections: list[LessonSection] = Field(default_factory=list)
    path: str = ""


class Module(Strict):
    """A module of the course: a topic with lessons, facts and questions."""

    id: Slug
    title: Text
    summary: Text
    order: int = Field(ge=0)
    safety_critical: bool = False


class Course(Strict):
    """The whole validated course, as the rest of the system sees it."""

    id: Slug
    title: Text
    description: Text
    release: dt.date  # bump on publishing: Anki notes take their mod time from it
    modules: list[Module]
    lessons: list[Lesson]
    sources: list[Source]
    sites: list[EndangermentSite]
    questions: list[AuthoredQuestion]
    # question id -> module id, since authored questions live in module files
    question_modules: dict[str, str]
    # The closed topic-tag vocabulary (`kind: topics`); empty when none is declared.
    topics: list[Topic] = Field(default_factory=list)
    # Learning objectives (`kind: objectives`) and the module each belongs to.
    objectives: list[Objective] = Field(default_factory=list)
    objective_modules: dict[str, str] = Field(default_factory=dict)
    # The review ledger (`kind: reviews`), oldest first as written.
    reviews: list[Review] = Field(default_factory=list)
    # question or site id -> "path:line" where it is written, so checks that run
    # on the built bank can still point an author at the line to edit.
    locations: dict[str, str] = Field(default_factory=dict)

    def module(self, module_id: str) -> Module:
        """The module with this id (KeyError when there is none)."""
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id (KeyError when there is none)."""
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)

    def source(self, source_id: str) -> Source:
        """The source with this id (KeyError when there is none)."""
        for source in self.sources:
            if source.id == source_id:
                return source
        raise KeyError(source_id)

    def lessons_of(self, module_id: str) -> list[Lesson]:
        """The module's lessons in teaching order."""
        return sorted((l for l in self.lessons if l.module == module_id), key=lambda l: (l.order, l.id))
