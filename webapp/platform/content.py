"""The course and question bank the app serves, built once at start-up and held by the app.

Questions are never copied into tables: the database keeps only item ids, so a
review of an item that later leaves the course stays and shows as retired.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from flask import Flask, current_app

from course.models import CLOZE_BLANK, Course
from quizzes.bank import Bank, build_bank
from quizzes.questions import ClozeQuestion, Question


def get_course() -> Course:
    """The running app's course."""
    return current_app.extensions["course"]  # type: ignore[no-any-return]


def get_bank() -> Bank:
    """The running app's question bank."""
    return current_app.extensions["bank"]  # type: ignore[no-any-return]


@lru_cache(maxsize=8)
def content_key(bank: Bank, extra: str = "") -> str:
    """`<release>-<hash>`, naming this content exactly: caches keyed by it never serve another content's output.

    The hash covers the whole course and bank (edits made without a new release
    too) and `extra` (what else the cached output depends on, such as a deck
    build's version). Computed once per bank: the bank never changes in a process.
    """
    digest = hashlib.sha256(repr((bank.course, bank.questions, extra)).encode()).hexdigest()[:12]
    return f"{bank.course.release.isoformat()}-{digest}"


def item_label(question: Question) -> str:
    """A one-line name of a question for lists: a cloze shows its sentence with gaps."""
    if isinstance(question, ClozeQuestion):
        return CLOZE_BLANK.sub("…", question.text)
    return question.stem


# The banks of the last few courses, by the course object's identity (a course is never edited in place).
# Apps made from one loaded course (the test suite, a reloaded server) share its bank, and so the
# planner's per-bank indexes and `content_key`, which hashes the whole course once per bank.
_BANKS: dict[int, Bank] = {}
_BANKS_KEPT = 4


def bank_of(course: Course) -> Bank:
    """The question bank of `course`, built once per course object."""
    bank = _BANKS.get(id(course))
    if bank is None or bank.course is not course:
        bank = build_bank(course)
        _BANKS[id(course)] = bank  # the bank holds the course, so its id is not reused while kept
        while len(_BANKS) > _BANKS_KEPT:
            del _BANKS[next(iter(_BANKS))]
    return bank


def init_app(app: Flask) -> None:
    """Give the app the bank of the course the factory loaded."""
    app.extensions["bank"] = bank_of(app.extensions["course"])
