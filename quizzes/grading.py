"""Grade a response to any question: correct, partial, incorrect, or invalid.

`grade` never raises. A response of the wrong shape (see the response shapes in
`quizzes.questions`), naming an unknown option, pair or region, empty, or of the
wrong length is graded "invalid" with a message saying what was expected, and
scores 0; the caller shows the message and does not record a review.

Scores: single-answer types score 1 or 0. Multiple select scores
max(0, (right picks - wrong picks) / number of right options), so ticking every
box earns nothing; "partial" is any score between 0 and 1. Cloze and matching
score the share of blanks or pairs right.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Callable

from quizzes.bodymap import region_label
from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    Grade,
    HotspotQuestion,
    MatchingQuestion,
    Outcome,
    PartResult,
    Question,
    TrueFalseQuestion,
)
from quizzes.textmatch import matches

# Said first when a picked option would put a client at risk in practice.
UNSAFE_NOTE = "Unsafe in practice:"


def grade(question: Question, response: object) -> Grade:
    """Grade `response` to `question` (see the module docstring for the rules)."""
    grader = _GRADERS.get((type(question), question.type))
    if grader is None:
        return _invalid(f"questions of type {question.type!r} cannot be graded")
    return grader(question, response)


def chosen_options(response: object) -> frozenset[str]:
    """The option ids a choice response picked: one id (mcq) or a list of them (multi)."""
    if isinstance(response, str):
        return frozenset({response})
    if isinstance(response, (list, tuple, set, frozenset)):
        return frozenset(str(item) for item in response)
    return frozenset()


def _invalid(message: str) -> Grade:
    return Grade("invalid", 0.0, message)


def _outcome(score: float) -> Outcome:
    return "correct" if score >= 1.0 else "incorrect" if score <= 0.0 else "partial"


def _strings(response: object, what: str) -> list[str] | str:
    """The response as a list of strings, or the message saying why it is not one."""
    if isinstance(response, (str, bytes)) or not isinstance(response, (Sequence, set, frozenset)):
        return f"expected a list of {what}, got {type(response).__name__}"
    items = list(response)
    if not all(isinstance(item, str) for item in items):
        return f"every {what[:-1]} must be text"
    return items


def _mcq(question: ChoiceQuestion, response: object) -> Grade:
    if not isinstance(response, str):
        return _invalid(f"expected one option id, got {type(response).__name__}")
    chosen = next((option for option in question.options if option.id == response), None)
    if chosen is None:
        return _invalid("choose one of the options" if not response else f"unknown option '{response[:80]}'")
    right = next(option for option in question.options if option.correct)
    part = PartResult(right.id, chosen.correct, right.text, chosen.text)
    unsafe = (chosen.id,) if chosen.unsafe else ()
    if chosen.correct:
        return Grade("correct", 1.0, f"Correct. {chosen.why}", (part,), unsafe)
    message = f"{chosen.why} The answer is: {right.text}."
    return Grade("incorrect", 0.0, f"{UNSAFE_NOTE} {message}" if unsafe else message, (part,), unsafe)


def _multi(question: ChoiceQuestion, response: object) -> Grade:
    picked = _strings(response, "option ids")
    if isinstance(picked, str):
        return _invalid(picked)
    if not picked:
        return _invalid("select at least one option")
    known = {option.id for option in question.options}
    unknown = [item for item in picked if item not in known]
    if unknown:
        return _invalid(f"unknown option '{unknown[0][:80]}'")
    if len(set(picked)) != len(picked):
        return _invalid("an option was selected twice")
    chosen = set(picked)
    right = question.correct_ids
    parts = tuple(
        PartResult(option.id, (option.id in chosen) == option.correct,
                   "select" if option.correct else "leave", "selected" if option.id in chosen else "not selected")
        for option in question.options
    )
    score = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    unsafe = tuple(option.id for option in question.options if option.unsafe and option.id in chosen)
    missed = [option.text for option in question.options if option.correct and option.id not in chosen]
    wrong = [option.text for option in question.options if not option.correct and option.id in chosen]
    if chosen == right:
        message = "Correct."
    else:
        notes = []
        if missed:
            notes.append("Missed: " + "; ".join(missed) + ".")
        if wrong:
            notes.append("Not right: " + "; ".join(wrong) + ".")
        message = " ".join(notes)
    if unsafe:
        message = f"{UNSAFE_NOTE} {message}"
    return Grade(_outcome(score), score, message, parts, unsafe)


def _truefalse(question: TrueFalseQuestion, response: object) -> Grade:
    if type(response) is not bool:
        return _invalid(f"expected true or false, got {type(response).__name__}")
    right = response == question.answer
    part = PartResult("answer", right, str(question.answer).lower(), str(response).lower())
    verdict = "Correct." if right else f"Incorrect: the statement is {str(question.answer).lower()}."
    return Grade("correct" if right else "incorrect", float(right), f"{verdict} {question.reason}", (part,))


def _cloze(question: ClozeQuestion, response: object) -> Grade:
    answers = _strings(response, "answers")
    if isinstance(answers, str):
        return _invalid(answers)
    if len(answers) != len(question.blanks):
        return _invalid(f"expected {len(question.blanks)} answer(s), one per blank, got {len(answers)}")
    if not any(answer.strip() for answer in answers):
        return _invalid("fill in the blank" if len(answers) == 1 else "fill in the blanks")
    parts = tuple(
        PartResult(str(index), matches(given, accepted), accepted[0], given)
        for index, (given, accepted) in enumerate(zip(answers, question.blanks), start=1)
    )
    score = sum(part.correct for part in parts) / len(parts)
    wrong = [f"blank {part.key}: {part.expected}" for part in parts if not part.correct]
    message = "Correct." if not wrong else "Expected " + "; ".join(wrong) + "."
    return Grade(_outcome(score), score, message, parts)


def _matching(question: MatchingQuestion, response: object) -> Grade:
    if not isinstance(response, Mapping):
        return _invalid(f"expected a pairing of items, got {type(response).__name__}")
    ids = {pair.id: pair for pair in question.pairs}
    if not all(isinstance(key, str) and isinstance(value, str) for key, value in response.items()):
        return _invalid("every item and its match must be given by id")
    unknown = [str(x) for x in (*response.keys(), *response.values()) if x not in ids]
    if unknown:
        return _invalid(f"unknown item '{unknown[0][:80]}'")
    if set(response) != set(ids):
        return _invalid("match every item" if response else "match the items")
    parts = tuple(
        PartResult(pair.id, response[pair.id] == pair.id, pair.right, ids[response[pair.id]].right)
        for pair in question.pairs
    )
    score = sum(part.correct for part in parts) / len(parts)
    wrong = [f"{ids[part.key].left} → {part.expected}" for part in parts if not part.correct]
    message = "Correct." if not wrong else "Right matches: " + "; ".join(wrong) + "."
    return Grade(_outcome(score), score, message, parts)


def _hotspot(question: HotspotQuestion, response: object) -> Grade:
    if not isinstance(response, str):
        return _invalid(f"expected a body-map region, got {type(response).__name__}")
    if response not in question.regions:
        return _invalid("tap a region of the body map" if not response else f"unknown region '{response[:80]}'")
    right = response == question.region
    part = PartResult("region", right, question.region, response)
    message = "Correct." if right else f"You chose the {_label(response)}; the answer is the {_label(question.region)}."
    return Grade("correct" if right else "incorrect", float(right), message, (part,))


def _label(region: str) -> str:
    """A site as it reads after "the": its plain-English name, the anatomical one in brackets."""
    try:
        name = region_label(region)
    except ValueError:  # a region the drawing lacks: its id made readable
        name = region.replace("-", " ")
    return name[:1].lower() + name[1:]


_GRADERS: dict[tuple[type, str], Callable[..., Grade]] = {
    (ChoiceQuestion, "mcq"): _mcq,
    (ChoiceQuestion, "multi"): _multi,
    (TrueFalseQuestion, "truefalse"): _truefalse,
    (ClozeQuestion, "cloze"): _cloze,
    (MatchingQuestion, "matching"): _matching,
    (HotspotQuestion, "hotspot"): _hotspot,
}
