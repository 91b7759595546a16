"""Stored exam responses, shaped for the pages: back into form values, and into words.

A response is kept in the shape `quizzes.grading` accepts (see
`quizzes.questions`); `form_values` is the inverse of
`webapp.questions.responses.parse_response`, so a question the learner returns to
shows what they chose.
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
from webapp.questions.page import region_name, spot_number


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


def response_text(question: Question, response: Any) -> str:
    """The learner's answer in words ("No answer" when there is none)."""
    if response is None:
        return "No answer"
    if isinstance(question, ChoiceQuestion):
        chosen = set(response if isinstance(response, list) else [response])
        return "; ".join(option.text for option in question.options if option.id in chosen) or "No answer"
    if isinstance(question, TrueFalseQuestion):
        return "True" if response else "False"
    if isinstance(question, ClozeQuestion) and isinstance(response, list):
        return "; ".join(str(text) or "—" for text in response)
    if isinstance(question, MatchingQuestion) and isinstance(response, dict):
        right = {pair.id: pair.right for pair in question.pairs}
        return "; ".join(f"{pair.left} → {right.get(str(response.get(pair.id)), '—')}" for pair in question.pairs)
    if isinstance(question, HotspotQuestion):
        return region_name(str(response))
    return str(response)


def has_answer_fields(form: MultiDict[str, str]) -> bool:
    """True when the learner filled in anything an answer is made of."""
    prefixes = ("choice", "answer", "blank-", "match-", "region")
    return any(value.strip() for key, value in form.items(multi=True) if key.startswith(prefixes))
