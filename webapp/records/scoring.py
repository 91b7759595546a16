"""Scoring an answer: the grade, the FSRS rating from grade and speed, the next item state and the review row.

Pure rules over values, free of Flask and of any session write, so the web app
and the synthetic school's bulk writer build every review and item state the
same way: `review_values` builds every review row and `next_state` every item
state; `is_lapse` is the one lapse rule. `score_answer` grades with
`quizzes.grading`, picks the rating from the grade and the learner's usual speed
for that question type (`typical_response_ms`), and schedules with
`quizzes.scheduling`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from quizzes.grading import grade as grade_response
from quizzes.questions import Grade, Question
from quizzes.scheduling import Rating, Reviewed, rating_for, retention_for, review
from webapp.platform.errors import WebappError
from webapp.platform.models import Review

# How many recent answers of a type make the learner's "usual" speed.
TYPICAL_WINDOW = 20
# Time on a question is clamped: a tab left open over lunch is not a slow answer.
MAX_RESPONSE_MS = 10 * 60 * 1000
# FSRS states are 1-3; 0 is an item never answered (a review's `state_before`).
NEW_STATE = 0


class ReviewError(WebappError):
    """A review cannot be recorded or re-rated (the message is for the learner)."""


@dataclass(frozen=True)
class Scored:
    """What one answer means for the schedule, before anything is stored."""

    grade: Grade
    rating: Rating
    auto_rating: Rating  # what the grade and speed alone give
    reviewed: Reviewed


def score_answer(
    question: Question,
    response: object,
    response_ms: int,
    card_before: dict[str, Any] | None,
    typical_ms: float | None,
    now: dt.datetime,
    desired_retention: float,
    safety_retention: float,
    override_rating: int | None = None,
    grader: Callable[[Question, object], Grade] = grade_response,
) -> Scored:
    """Grade `response`, choose the rating and schedule the item (pure).

    `grader` is `quizzes.grading.grade` unless a bulk caller passes a memoised one.

    Raises:
        ReviewError: when the response cannot be graded (outcome "invalid").
    """
    result = grader(question, response)
    if not result.is_valid:
        raise ReviewError(result.message or "That answer could not be read.")
    auto = rating_for(result, response_ms, typical_ms)
    rating = Rating(override_rating) if override_rating is not None else auto
    retention = retention_for(question, desired_retention, safety_retention)
    return Scored(result, rating, auto, review(card_before, int(rating), now, retention))


def score_rating(question: Question, rating: int, card_before: dict[str, Any] | None, now: dt.datetime,
                 desired_retention: float, safety_retention: float) -> Scored:
    """Schedule an answer whose rating is already known (an Anki button press, a replayed review); pure.

    There is no response to grade: Again counts as incorrect, any other button as correct.
    """
    grade = Grade(outcome="correct" if rating > int(Rating.AGAIN) else "incorrect",
                  score=1.0 if rating > int(Rating.AGAIN) else 0.0, message="")
    retention = retention_for(question, desired_retention, safety_retention)
    return Scored(grade, Rating(rating), Rating(rating), review(card_before, rating, now, retention))


# Built once: every answer runs it, and building the statement cost as much as running it.
# Table columns (Core), not ORM attributes, so the session skips its ORM result handling.
_reviews = Review.__table__.c
TYPICAL_TIMES = (
    select(_reviews.response_ms)
    .where(_reviews.user_id == bindparam("user_id"), _reviews.question_type == bindparam("question_type"),
           _reviews.source != "anki")
    .order_by(_reviews.reviewed_at.desc())
    .limit(TYPICAL_WINDOW)
)


def typical_response_ms(session: Session, user_id: int, question_type: str) -> float | None:
    """The median time of the learner's last answers of this type (None before any).

    Answers imported from Anki are left out: Anki times a flashcard, not reading options.
    """
    return median_ms(session.execute(TYPICAL_TIMES, {"user_id": user_id, "question_type": question_type}).scalars().all())


def median_ms(times: Sequence[int] | None) -> float | None:
    """The median of response times, None for none."""
    return float(statistics.median(times)) if times else None


def is_lapse(rating: int, state_before: int) -> bool:
    """FSRS counts a lapse when a card in review state is forgotten."""
    return rating == int(Rating.AGAIN) and state_before == 2


def next_state(reps: int, lapses: int, scored: Scored, state_before: int, module: str,
               now: dt.datetime) -> dict[str, Any]:
    """The item state's column values after one answer (`reps`, `lapses`: before it)."""
    return {
        **schedule_values(scored.reviewed, module, now),
        "reps": reps + 1,
        "lapses": lapses + int(is_lapse(int(scored.rating), state_before)),
    }


def schedule_values(reviewed: Reviewed, module: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "card": reviewed.card, "due": reviewed.due, "state": reviewed.state, "stability": reviewed.stability,
        "difficulty": reviewed.difficulty, "last_review": now, "module": module,
    }


def review_values(*, user_id: int, question: Question, presentation_id: str, now: dt.datetime,
                  response: object, scored: Scored, response_ms: int, attempt: int, state_before: int,
                  card_before: dict[str, Any] | None, source: str,
                  anki_revlog_id: int | None = None) -> dict[str, Any]:
    """The column values of one review row: the only place a review is built.

    `anki_revlog_id` is set for reviews imported from Anki (source "anki").
    """
    return {
        "user_id": user_id,
        "item_id": question.id,
        "presentation_id": presentation_id,
        "reviewed_at": now,
        "response": jsonable(response),
        "result": scored.grade.outcome,
        "score": scored.grade.score,
        "rating": int(scored.rating),
        "auto_rating": int(scored.auto_rating),
        "response_ms": response_ms,
        "attempt": attempt,
        "state_before": state_before,
        "unsafe_chosen": bool(scored.grade.unsafe_chosen),
        "source": source,
        "question_type": question.type,
        "module": question.module,
        "card_before": card_before,
        "anki_revlog_id": anki_revlog_id,
    }


def jsonable(response: object) -> Any:
    """A response as JSON can store it (tuples become lists)."""
    if isinstance(response, tuple):
        return list(response)
    return response


