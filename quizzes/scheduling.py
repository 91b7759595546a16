"""FSRS scheduling through the `fsrs` package, behind a plain-dict interface.

Storage keeps a card as fsrs's own `Card.to_dict()` (JSON-safe), so nothing
here knows about databases, and `review` never reads the clock: `now` is an
argument, and a new card's id is derived from it.

Rating rule (`rating_for`): students do not grade themselves.
- incorrect or partially correct -> AGAIN (a half-known safety fact is not known);
- correct -> GOOD, except
  - HARD when the response took more than 2x the learner's typical time, and
  - EASY when it took less than 0.5x the typical time;
- no typical time yet (a learner's first answers of a type) -> GOOD.
"Typical time" is the caller's figure for this learner and question type (the
web app uses the median of the learner's recent responses of that type), since
reading a matching question takes longer than a true/false one. A learner may
still override the rating with the four Anki buttons after seeing the answer.

Desired retention (`retention_for`): 0.90 by default; safety-critical items get
the higher safety figure (default 0.95), i.e. shorter intervals. If an instructor
sets the normal figure above the safety one, safety items get the normal one: a
safety item is never scheduled *less* often than an ordinary one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any, Mapping

from fsrs import Card, Scheduler
from fsrs import Rating as FsrsRating
from fsrs.scheduler import DEFAULT_PARAMETERS

from quizzes.errors import QuizError
from quizzes.questions import Grade, Question

SLOW_FACTOR = 2.0  # correct but slower than this many times the typical time: HARD
FAST_FACTOR = 0.5  # correct and faster than this fraction of the typical time: EASY
DEFAULT_RETENTION = 0.90
SAFETY_RETENTION = 0.95

# The forgetting curve's shape, as fsrs computes it for its default parameters.
_DECAY = -DEFAULT_PARAMETERS[20]
_FACTOR = 0.9 ** (1 / _DECAY) - 1


class Rating(IntEnum):
    """The four answer buttons, numbered as in Anki and fsrs."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True)
class Reviewed:
    """A card after a review: the dict to store, and its main fields for queries."""

    card: dict[str, Any]
    due: dt.datetime
    state: int  # fsrs State: 1 learning, 2 review, 3 relearning
    stability: float | None
    difficulty: float | None


@lru_cache(maxsize=32)
def scheduler(desired_retention: float, fuzz: bool) -> Scheduler:
    """The fsrs Scheduler for this retention and fuzzing (built once, then cached)."""
    return Scheduler(desired_retention=desired_retention, enable_fuzzing=fuzz)


def utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC with `timezone.utc` (what fsrs insists on); naive times are refused.

    Raises:
        QuizError: for a naive datetime, whose meaning is unknown.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise QuizError(f"a timezone-aware time is needed, got naive {moment.isoformat()}")
    return moment.astimezone(dt.timezone.utc)


def check_retention(value: float) -> float:
    """`value` if it is a usable desired retention (strictly between 0.5 and 1)."""
    if not 0.5 < value < 1.0:
        raise QuizError(f"desired retention must be between 0.5 and 1 (exclusive), got {value}")
    return float(value)


def load_card(card: Mapping[str, Any]) -> Card:
    """An fsrs Card from its stored dict.

    Raises:
        QuizError: when the dict is not a card.
    """
    try:
        return Card.from_dict(dict(card))  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as error:
        raise QuizError(f"not a stored card ({error.__class__.__name__}: {error})") from error


def review(
    card: Mapping[str, Any] | None,
    rating: int,
    now: dt.datetime,
    desired_retention: float = DEFAULT_RETENTION,
    *,
    fuzz: bool = True,
) -> Reviewed:
    """Schedule one review.

    Args:
        card: the item's stored card dict, or None the first time the item is answered.
        rating: 1..4 (see `Rating`).
        now: when the answer was given (timezone-aware).
        desired_retention: the recall probability to schedule for (`retention_for`).
        fuzz: spread review-state intervals a little so cards learned together do not
            fall due together; tests turn it off for exact intervals.

    Raises:
        QuizError: for a rating outside 1..4, a naive `now`, a bad retention or card.
    """
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 4:
        raise QuizError(f"rating must be 1..4, got {rating!r}")
    moment = utc(now)
    current = load_card(card) if card is not None else Card(card_id=int(moment.timestamp() * 1000), due=moment)
    after, _ = scheduler(check_retention(desired_retention), fuzz).review_card(current, FsrsRating(rating), moment)
    return Reviewed(
        card=dict(after.to_dict()),
        due=after.due,
        state=int(after.state.value),
        stability=after.stability,
        difficulty=after.difficulty,
    )


def rating_for(grade: Grade, response_ms: int, typical_ms: float | None) -> Rating:
    """The rating a graded answer earns (see the module docstring for the rule).

    Raises:
        QuizError: for an invalid grade, which must not be scheduled at all.
    """
    if grade.outcome == "invalid":
        raise QuizError("an invalid response cannot be rated")
    if grade.outcome != "correct":
        return Rating.AGAIN
    if typical_ms is None or typical_ms <= 0 or response_ms <= 0:
        return Rating.GOOD
    if response_ms > SLOW_FACTOR * typical_ms:
        return Rating.HARD
    if response_ms < FAST_FACTOR * typical_ms:
        return Rating.EASY
    return Rating.GOOD


def retention_for(question: Question, desired: float = DEFAULT_RETENTION, safety: float = SAFETY_RETENTION) -> float:
    """The desired retention to schedule `question` with: the safety figure for safety-critical items."""
    return max(desired, safety) if question.safety_critical else desired


def forgetting_curve() -> tuple[float, float]:
    """`(decay, factor)` of the scheduler's forgetting curve R(t) = (1 + factor * t / S) ** -decay.

    t is days since the last review and S the stability in days, so R(S) = 0.9.
    The one place these numbers come from: callers that evaluate the curve in
    SQL (the class dashboard) take them from here rather than copying them.
    """
    return -_DECAY, _FACTOR


def recall_after(stability: float, elapsed_days: float) -> float:
    """Predicted recall `elapsed_days` after a review that left the memory at `stability` days."""
    if stability <= 0:
        return 0.0
    return float((1 + _FACTOR * max(0.0, elapsed_days) / stability) ** _DECAY)


def retrievability(card: Mapping[str, Any], at: dt.datetime) -> float:
    """The predicted probability of recalling the card's item at `at` (0 for a card never reviewed).

    Computed from the stored dict alone, with fsrs's forgetting curve and, like
    fsrs, whole days elapsed since the last review; `at` may be any date, past or
    future (instructors ask "who will remember the endangerment sites on exam day?").
    """
    last, stability = card.get("last_review"), card.get("stability")
    if not last or not stability:
        return 0.0
    elapsed = max(0, (utc(at) - dt.datetime.fromisoformat(last)).days)
    return recall_after(float(stability), elapsed)
