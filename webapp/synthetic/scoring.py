"""`webapp.reviews.score_answer` with the grading memoised, for millions of simulated answers.

Grading is pure and simulated responses repeat (the right answer is always the
same one), so each distinct (question, response) is graded once per process;
the profile of a synthetic school showed grading (cloze text matching above all)
at about a sixth of the time. Rating and scheduling are `score_answer`'s own
steps with the same functions; `tests/webapp/test_synthetic.py` checks on real
simulations that every answer scores exactly as `score_answer` scores it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quizzes.grading import grade
from quizzes.questions import Grade, Question
from quizzes.scheduling import Rating, rating_for, retention_for, review
from webapp.reviews import ReviewError, Scored

# (id of the question, response key) -> (the question, its grade); the question
# is kept so its id cannot be reused by another object while cached.
_GRADES: dict[tuple[int, Any], tuple[Question, Grade]] = {}


def _key(response: object) -> Any:
    if isinstance(response, list):
        return ("list", tuple(response))
    if isinstance(response, dict):
        return ("dict", tuple(sorted(response.items())))
    return (type(response).__name__, response)


def graded(question: Question, response: object) -> Grade:
    """`quizzes.grading.grade`, once per distinct question and response."""
    key = (id(question), _key(response))
    found = _GRADES.get(key)
    if found is None or found[0] is not question:
        found = _GRADES[key] = (question, grade(question, response))
    return found[1]


def score(question: Question, response: object, response_ms: int, card_before: dict[str, Any] | None,
          typical_ms: float | None, now: dt.datetime, desired_retention: float, safety_retention: float,
          override_rating: int | None = None) -> Scored:
    """Exactly `webapp.reviews.score_answer`, with the grade memoised.

    Raises:
        ReviewError: when the response cannot be graded.
    """
    result = graded(question, response)
    if not result.is_valid:
        raise ReviewError(result.message or "That answer could not be read.")
    auto = rating_for(result, response_ms, typical_ms)
    rating = Rating(override_rating) if override_rating is not None else auto
    retention = retention_for(question, desired_retention, safety_retention)
    return Scored(result, rating, auto, review(card_before, int(rating), now, retention))
