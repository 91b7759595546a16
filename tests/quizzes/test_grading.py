"""Grading every question type, and every kind of malformed response."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.bank import Bank
from quizzes.grading import UNSAFE_NOTE, grade
from quizzes.questions import (
    Choice,
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Pair,
    Question,
    TrueFalseQuestion,
)

COMMON = dict(module="m", lesson="l", stem="S?", explanation="E.", sources=("src",), mblex="ethics-laws",
              difficulty=1, safety_critical=False, updated=dt.date(2026, 1, 1))
OPTIONS = (
    Choice("stop", "Stop and refer", True, "Numbness is a warning sign."),
    Choice("press", "Press harder", False, "Pressure on a nerve makes it worse.", unsafe=True),
    Choice("ignore", "Carry on", False, "Ignoring a warning sign is not safe."),
    Choice("ask", "Ask the client", True, "Asking is always right."),
)
MCQ = ChoiceQuestion(id="q-mcq", type="mcq", options=(OPTIONS[0], OPTIONS[1], OPTIONS[2]), **COMMON)
MULTI = ChoiceQuestion(id="q-multi", type="multi", options=OPTIONS, **COMMON)
TF = TrueFalseQuestion(id="q-tf", type="truefalse", answer=False, reason="Soreness is not toxins.", **COMMON)
CLOZE = ClozeQuestion(id="q-cloze", type="cloze", text="The {{1}} nerve at the {{2}}.",
                      blanks=(("ulnar",), ("medial epicondyle", "funny bone")), **COMMON)
MATCH = MatchingQuestion(id="q-match", type="matching",
                         pairs=tuple(Pair(f"p{i}", f"L{i}", f"R{i}") for i in range(4)),
                         right_order=("p1", "p2", "p3", "p0"), **COMMON)
HOT = HotspotQuestion(id="q-hot", type="hotspot", region="axilla", regions=("axilla", "twelfth-rib"), **COMMON)
ALL: tuple[Question, ...] = (MCQ, MULTI, TF, CLOZE, MATCH, HOT)


def test_mcq() -> None:
    right = grade(MCQ, "stop")
    assert (right.outcome, right.score, right.unsafe_chosen) == ("correct", 1.0, ())
    wrong = grade(MCQ, "press")
    assert (wrong.outcome, wrong.score, wrong.unsafe_chosen) == ("incorrect", 0.0, ("press",))
    assert wrong.message.startswith(UNSAFE_NOTE) and "Stop and refer" in wrong.message
    assert wrong.parts[0].expected == "Stop and refer" and wrong.parts[0].given == "Press harder"


@pytest.mark.parametrize(
    ("picked", "outcome", "score"),
    [
        (["stop", "ask"], "correct", 1.0),
        (["ask", "stop"], "correct", 1.0),
        (["stop"], "partial", 0.5),
        (["stop", "ask", "ignore"], "partial", 0.5),
        (["stop", "ignore"], "incorrect", 0.0),
        (["ignore"], "incorrect", 0.0),
        (["stop", "ask", "ignore", "press"], "incorrect", 0.0),  # ticking every box earns nothing
    ],
)
def test_multi_partial_credit(picked: list[str], outcome: str, score: float) -> None:
    result = grade(MULTI, picked)
    assert (result.outcome, result.score) == (outcome, score)
    assert [p.key for p in result.parts] == [o.id for o in OPTIONS]
    assert sum(not p.correct for p in result.parts) == len(set(picked) ^ {"stop", "ask"})


def test_multi_reports_unsafe_picks() -> None:
    result = grade(MULTI, ("stop", "ask", "press"))
    assert result.unsafe_chosen == ("press",) and result.message.startswith(UNSAFE_NOTE)


def test_truefalse() -> None:
    assert grade(TF, False).outcome == "correct"
    wrong = grade(TF, True)
    assert wrong.outcome == "incorrect" and "Soreness is not toxins." in wrong.message


def test_cloze_per_blank() -> None:
    assert grade(CLOZE, ["Ulnar", "Funny-bone"]).outcome == "correct"
    half = grade(CLOZE, ["radial", "medial epicondyel"])  # typo tolerated in a long answer
    assert (half.outcome, half.score) == ("partial", 0.5)
    assert [(p.key, p.correct, p.expected, p.given) for p in half.parts] == [
        ("1", False, "ulnar", "radial"), ("2", True, "medial epicondyle", "medial epicondyel")]
    assert grade(CLOZE, ["", "wrist"]).outcome == "incorrect"


def test_matching_per_pair() -> None:
    all_right = {f"p{i}": f"p{i}" for i in range(4)}
    assert grade(MATCH, all_right).outcome == "correct"
    swapped = dict(all_right, p0="p1", p1="p0")
    result = grade(MATCH, swapped)
    assert (result.outcome, result.score) == ("partial", 0.5)
    assert [p.correct for p in result.parts] == [False, False, True, True]
    assert result.parts[0].expected == "R0" and result.parts[0].given == "R1"
    rotated = {f"p{i}": f"p{(i + 1) % 4}" for i in range(4)}
    assert grade(MATCH, rotated).outcome == "incorrect"


def test_hotspot() -> None:
    assert grade(HOT, "axilla").outcome == "correct"
    wrong = grade(HOT, "twelfth-rib")
    assert wrong.outcome == "incorrect" and "twelfth rib" in wrong.message and "axilla" in wrong.message


MALFORMED = [
    (MCQ, None), (MCQ, ""), (MCQ, "nope"), (MCQ, ["stop"]), (MCQ, 1),
    (MULTI, "stop"), (MULTI, []), (MULTI, ["stop", "stop"]), (MULTI, ["nope"]), (MULTI, [1]), (MULTI, {"stop": 1}),
    (TF, "true"), (TF, 1), (TF, None), (TF, 0),
    (CLOZE, "ulnar"), (CLOZE, ["ulnar"]), (CLOZE, ["a", "b", "c"]), (CLOZE, ["", " "]), (CLOZE, [1, 2]),
    (CLOZE, b"ab"),
    (MATCH, ["p0"]), (MATCH, {}), (MATCH, {"p0": "p0"}), (MATCH, {"p0": "zz", "p1": "p1", "p2": "p2", "p3": "p3"}),
    (MATCH, {1: "p0"}), (MATCH, {"p0": "p0", "p1": "p1", "p2": "p2", "p3": "p3", "p9": "p0"}),
    (HOT, "the-moon"), (HOT, ""), (HOT, ["axilla"]), (HOT, None),
]


@pytest.mark.parametrize(("question", "response"), MALFORMED)
def test_malformed_is_invalid_with_a_message(question: Question, response: object) -> None:
    result = grade(question, response)
    assert result.outcome == "invalid" and not result.is_valid
    assert result.score == 0.0 and result.message and result.parts == ()


ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(
        ["stop", "ask", "p0", "p1", "axilla", "ulnar"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5) | st.sampled_from(["p0", "p1"]),
                                                                 inner, max_size=5) | st.tuples(inner, inner),
    max_leaves=10,
)


@given(st.sampled_from(ALL), ANYTHING)
def test_grade_never_raises(question: Question, response: object) -> None:
    result = grade(question, response)
    assert 0.0 <= result.score <= 1.0
    assert (result.outcome == "correct") == (result.score == 1.0)


def test_every_real_question_accepts_its_own_answer(real_bank: Bank) -> None:
    for question in real_bank.questions:
        assert grade(question, correct_response(question)).outcome == "correct", question.id


def correct_response(question: Question) -> object:
    """The right answer to any question, in its response shape."""
    if isinstance(question, ChoiceQuestion):
        return next(iter(question.correct_ids)) if question.type == "mcq" else sorted(question.correct_ids)
    if isinstance(question, TrueFalseQuestion):
        return question.answer
    if isinstance(question, ClozeQuestion):
        return [answers[0] for answers in question.blanks]
    if isinstance(question, MatchingQuestion):
        return {pair.id: pair.id for pair in question.pairs}
    assert isinstance(question, HotspotQuestion)
    return question.region
