"""`webapp.records.answers.score_answer` with the grading memoised, for millions of simulated answers.

Grading is pure and simulated responses repeat (the right answer is always the
same one), so each distinct (question, response) is graded once per process;
the profile of a synthetic school showed grading (cloze text matching above all)
at about a sixth of the time. Everything else is `score_answer` itself, handed
the memoised grader; `tests/webapp/test_synthetic.py` checks on real
simulations that every answer scores exactly as the plain `score_answer` does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from quizzes.grading import grade
from quizzes.questions import Grade, Question
from webapp.records.scoring import Scored, score_answer

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
    """`webapp.records.answers.score_answer` with the grade memoised.

    Raises:
        ReviewError: when the response cannot be graded.
    """
    return score_answer(question, response, response_ms, card_before, typical_ms, now, desired_retention,
                        safety_retention, override_rating, grader=graded)
