"""The bank: authored questions converted faithfully, lookups, order, validation."""

from __future__ import annotations

import pytest

from course.models import HotspotQuestion as AuthoredHotspot
from course.models import MatchingQuestion as AuthoredMatching
from course.models import McqQuestion, Option, TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.errors import QuizError
from quizzes.questions import ChoiceQuestion, MatchingQuestion
from quizzes.shuffle import rank
from tests.quizzes.synthetic import CATALOGUE, RELEASE, make_course, site

COMMON = dict(lesson="other-lesson", explanation="Because.", sources=["src"], mblex="ethics-laws", difficulty=2)


LETTERS = ["aa", "bb", "cc", "dd", "ee"]


def mcq(qid: str, correct: str = "bb") -> McqQuestion:
    options = [Option(id=o, text=f"Option {o}", correct=o == correct, why=f"why {o}") for o in LETTERS]
    return McqQuestion(id=qid, type="mcq", stem="Which?", options=options, **COMMON)


def test_authored_options_are_shuffled_by_id_and_keep_their_content() -> None:
    bank = build_bank(make_course([], [mcq("first-question"), mcq("second-question")]))
    first, second = bank.get("first-question"), bank.get("second-question")
    assert isinstance(first, ChoiceQuestion) and isinstance(second, ChoiceQuestion)
    assert {o.id for o in first.options} == set(LETTERS) and first.correct_ids == {"bb"}
    assert [o.id for o in first.options] == sorted(LETTERS, key=lambda o: rank("first-question", o))
    # different ids give different orders (here, for these two ids)
    assert [o.id for o in first.options] != [o.id for o in second.options]
    assert first.options[0].why == f"why {first.options[0].id}"
    assert first.updated == RELEASE and first.module == "other" and first.origin == "authored"


def test_lookups_and_stable_order() -> None:
    ulnar = next(x for x in CATALOGUE if x.id == "ulnar-nerve")
    tf = TrueFalseQuestion(id="a-statement", type="truefalse", stem="True?", answer=True, reason="R.", **COMMON)
    bank = build_bank(make_course([site("medial-epicondyle", [ulnar])], [tf, mcq("z-last")]))
    assert isinstance(bank, Bank)
    # module order first (sites before other), then id
    assert [q.id for q in bank.questions] == ["site-map--medial-epicondyle", "a-statement", "z-last"]
    assert "a-statement" in bank and "nope" not in bank and len(bank) == 3
    assert bank.get("nope") is None
    assert [q.id for q in bank.by_module("other")] == ["a-statement", "z-last"]
    assert [q.id for q in bank.by_lesson("sites-lesson")] == ["site-map--medial-epicondyle"]
    assert bank.by_module("unknown") == ()
    assert [m.id for m in bank.modules] == ["sites", "other"]


def test_authored_matching_right_column_never_sits_beside_its_left() -> None:
    pairs = [dict(id=f"p{i}", left=f"L{i}", right=f"R{i}") for i in range(4)]
    question = AuthoredMatching(id="match-it", type="matching", stem="Match.", pairs=pairs, **COMMON)
    made = build_bank(make_course([], [question])).get("match-it")
    assert isinstance(made, MatchingQuestion)
    assert [p.id for p in made.pairs] == ["p0", "p1", "p2", "p3"]
    assert all(a != b for a, b in zip(made.right_order, ["p0", "p1", "p2", "p3"]))


def test_every_problem_is_reported_at_once() -> None:
    ulnar = next(x for x in CATALOGUE if x.id == "ulnar-nerve")
    hotspot = AuthoredHotspot(id="find-it", type="hotspot", stem="Where?", region="the-moon", **COMMON)
    course = make_course([site("medial-epicondyle", [ulnar])], [mcq("twice"), mcq("twice"), hotspot])
    with pytest.raises(QuizError) as caught:
        build_bank(course)
    assert sorted(caught.value.problems) == [
        "find-it: body-map region 'the-moon' is not an endangerment site",
        "twice: duplicate question id",
    ]
    assert "2 problems found" in str(caught.value)


def test_a_question_without_a_module_is_a_problem_not_a_crash() -> None:
    with pytest.raises(QuizError, match="orphan: not listed"):
        build_bank(make_course([], [mcq("orphan")], question_modules={}))


def test_real_bank_uses_content_metadata(real_course, real_bank: Bank) -> None:
    for item in real_course.questions:
        question = real_bank.get(item.id)
        assert question is not None
        assert question.module == real_course.question_modules[item.id]
        assert question.updated == (item.updated or real_course.release)
        assert question.mblex == item.mblex.value and question.sources == tuple(item.sources)
