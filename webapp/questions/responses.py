"""Form fields to responses: what a submitted study form means, for each question type.

Field names: `choice` (mcq: one, multi: several), `answer` ("true"/"false"),
`blank-1`..`blank-n` (cloze), `match-<pair id>` (matching: the chosen pair id),
`region` (hotspot: the neutral region number shown, never the site id). The result is the response shape `quizzes.grading` expects,
or a message for the learner when the form is incomplete or too long.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)
from webapp.questions.page import spot_region

MAX_TEXT = 200  # characters per typed answer: longer is never an answer


# Submitted forms are werkzeug MultiDicts: `get` for one field, `getlist` for a multi-select.
FormData = MultiDict[str, str]


@dataclass(frozen=True)
class ParsedForm:
    """A response ready to grade, or the reason the form cannot be graded yet."""

    response: object = None
    error: str | None = None


def parse_response(question: Question, form: FormData) -> ParsedForm:
    """The response in `form` for `question`."""
    if isinstance(question, ChoiceQuestion):
        return _choice(question, form)
    if isinstance(question, TrueFalseQuestion):
        value = form.get("answer")
        if value not in ("true", "false"):
            return ParsedForm(error="Choose True or False.")
        return ParsedForm(response=value == "true")
    if isinstance(question, ClozeQuestion):
        return _cloze(question, form)
    if isinstance(question, MatchingQuestion):
        return _matching(question, form)
    if isinstance(question, HotspotQuestion):
        value = form.get("region")
        if not value:
            return ParsedForm(error="Tap the place on the body map (or move to it with the arrow keys).")
        region = spot_region(question.regions, value)
        if region is None:
            return ParsedForm(error="That place is not one of the choices. Choose again.")
        return ParsedForm(response=region)
    return ParsedForm(error="This kind of question cannot be answered here.")


def _choice(question: ChoiceQuestion, form: FormData) -> ParsedForm:
    ids = {option.id for option in question.options}
    chosen = [value for value in form.getlist("choice") if value]
    if any(value not in ids for value in chosen):
        return ParsedForm(error="One of the answers sent is not an option of this question. Choose again.")
    if question.type == "mcq":
        if len(chosen) != 1:
            return ParsedForm(error="Choose one answer.")
        return ParsedForm(response=chosen[0])
    if not chosen:
        return ParsedForm(error="Choose at least one answer.")
    return ParsedForm(response=sorted(set(chosen)))


def _cloze(question: ClozeQuestion, form: FormData) -> ParsedForm:
    values = [(form.get(f"blank-{n}") or "").strip() for n in range(1, len(question.blanks) + 1)]
    if any(len(value) > MAX_TEXT for value in values):
        return ParsedForm(error=f"An answer can be at most {MAX_TEXT} characters long.")
    if not any(values):
        return ParsedForm(error="Fill in the blank." if len(values) == 1 else "Fill in the blanks.")
    return ParsedForm(response=values)


def _matching(question: MatchingQuestion, form: FormData) -> ParsedForm:
    ids = {pair.id for pair in question.pairs}
    response: dict[str, str] = {}
    for pair in question.pairs:
        value = form.get(f"match-{pair.id}") or ""
        if not value:
            return ParsedForm(error="Match every item on the left before checking.")
        if value not in ids:
            return ParsedForm(error="One of the matches sent is not a choice of this question. Choose again.")
        response[pair.id] = value
    return ParsedForm(response=response)
