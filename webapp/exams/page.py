"""Stored exam responses, shaped for the pages: back into form values, and into words.

A response is kept in the shape `quizzes.grading` accepts (see
`quizzes.questions`); `form_values` is the inverse of
`webapp.questions.responses.parse_response`, so a question the learner returns to
shows what they chose. The answer in words is `webapp.questions.page.response_text`
(question reports show it too).
"""

from __future__ import annotations

from typing import Any

from werkzeug.datastructures import MultiDict

from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)
from webapp.questions.page import response_text, spot_number

__all__ = ["form_values", "has_answer_fields", "response_text"]


def form_values(question: Question, response: Any) -> MultiDict[str, str]:
    """The form fields that would submit `response` (empty for no response)."""
    values: MultiDict[str, str] = MultiDict()
    if response is None:
        return values
    if isinstance(question, ChoiceQuestion):
        for option in response if isinstance(response, list) else [response]:
            values.add("choice", str(option))
    elif isinstance(question, TrueFalseQuestion):
        values.add("answer", "true" if response else "false")
    elif isinstance(question, ClozeQuestion) and isinstance(response, list):
        for number, text in enumerate(response, start=1):
            values.add(f"blank-{number}", str(text))
    elif isinstance(question, MatchingQuestion) and isinstance(response, dict):
        for pair_id, chosen in response.items():
            values.add(f"match-{pair_id}", str(chosen))
    elif isinstance(question, HotspotQuestion):
        spot = spot_number(question.regions, str(response))  # the form shows neutral numbers, not sites
        if spot is not None:
            values.add("region", str(spot))
    return values


def has_answer_fields(form: MultiDict[str, str]) -> bool:
    """True when the learner filled in anything an answer is made of."""
    prefixes = ("choice", "answer", "blank-", "match-", "region")
    return any(value.strip() for key, value in form.items(multi=True) if key.startswith(prefixes))
