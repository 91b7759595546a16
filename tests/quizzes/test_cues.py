"""Issue 21's limits: each fails on one item that breaks it, and names the item."""

from __future__ import annotations

import datetime as dt
from typing import Any

from course.models import McqQuestion, Option, Review, TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.cues import tone
from quizzes.ledger import digest, entry
from quizzes.quality import review
from quizzes.questions import Choice, ChoiceQuestion
from tests.quizzes.synthetic import CATALOGUE, make_course, site


def _mcq(qid: str, options: list[str], **extra: Any) -> McqQuestion:
    return McqQuestion(id=qid, type="mcq", lesson="other-lesson", stem=extra.pop("stem", f"Pick {qid}."),
                       explanation="E.", sources=["src"], mblex="ethics-laws", difficulty=1,
                       options=[Option(id=f"o{i}", text=text, correct=i == 0, why="W.") for i, text in enumerate(options)],
                       **extra)


def _tf(qid: str, stem: str, answer: bool) -> TrueFalseQuestion:
    return TrueFalseQuestion(id=qid, type="truefalse", lesson="other-lesson", stem=stem, answer=answer,
                             reason="R.", explanation="E.", sources=["src"], mblex="ethics-laws", difficulty=1)


def _errors(bank: Bank, item: str) -> list[str]:
    return [f.message for f in review(bank).errors if f.item == item]


def _balanced(n: int) -> list[McqQuestion]:
    # Keys the same length as their distractors, sharing no word with the stem: no cue helps.
    return [_mcq(f"even-{i}", [f"Answer {i}a", f"Answer {i}b", f"Answer {i}c", f"Answer {i}d"]) for i in range(n)]


def test_a_long_key_is_an_error_unless_the_item_says_why() -> None:
    long = _mcq("long-key", ["Move off the pulse and work elsewhere", "Press", "Stay", "Ask"])
    reasoned = _mcq("reasoned", ["Move off the pulse and work elsewhere", "Press", "Stay", "Ask"],
                    long_key_reason="The safe action needs its two steps.")
    bank = build_bank(make_course([], [long, reasoned, *_balanced(30)]))
    assert any("over 1.3x" in m for m in _errors(bank, "long-key"))
    assert not any("over 1.3x" in m for m in _errors(bank, "reasoned"))


def test_a_module_the_longest_option_answers_fails_and_names_its_items() -> None:
    giveaways = [_mcq(f"tell-{i}", [f"The full, careful answer {i}", f"No {i}", f"Yes {i}", f"Up {i}"],
                      long_key_reason="Testing the cue, not the ratio.") for i in range(4)]
    bank = build_bank(make_course([], [*giveaways, *_balanced(6)]))
    assert any("picking the longest option scores" in m for m in _errors(bank, "other"))
    assert all("the longest option is the key (longest cue)" in _errors(bank, f"tell-{i}") for i in range(4))
    fine = build_bank(make_course([], [*giveaways[:1], *_balanced(9)]))
    assert not any("picking the" in m for m in _errors(fine, "other"))


def test_tone_reads_alarm_and_nuance_as_a_test_wise_reader_does() -> None:
    assert tone("True or false: healthy nerves are fragile and easily injured by pressure.") < 0
    assert tone("True or false: one case cannot show how often it happens, though it can happen.") > 0
    statements = [_tf(f"alarm-{i}", f"True or false: pressing {i} is always dangerous.", False) for i in range(5)]
    statements += [_tf(f"hedge-{i}", f"True or false: pressing {i} can usually be fine.", True) for i in range(5)]
    bank = build_bank(make_course([], statements))
    assert any("true/false by tone alone scores 100%" in m for m in _errors(bank, "other"))
    assert any("tone gives its answer away" in m for m in _errors(bank, "alarm-0"))


def test_course_bound_prompts_are_errors_and_attribution_is_capped() -> None:
    bound = _mcq("bound", ["Aa", "Bb", "Cc"], stem="What does this lesson say about pulses?")
    cases = [_mcq(f"case-{i}", [f"A{i}", f"B{i}", f"C{i}"], stem=f"In the case from 2019, what happened {i}?")
             for i in range(2)]
    bank = build_bank(make_course([], [bound, *cases, *_balanced(10)]))
    assert any("needs the course around it ('this lesson')" in m for m in _errors(bank, "bound"))
    assert any("2 of 13 items test attribution" in m for m in _errors(bank, "attribution"))
    assert any("tests attribution" in m for m in _errors(bank, "case-0"))


def test_a_generated_distractor_from_the_other_half_of_the_body_is_an_error() -> None:
    facial, sciatic, ulnar = (next(x for x in CATALOGUE if x.id == i)
                              for i in ("vagus-nerve", "sciatic-nerve", "ulnar-nerve"))
    course = make_course([site("below-earlobe", [facial], "head"), site("greater-sciatic-notch", [sciatic], "leg"),
                          site("medial-epicondyle", [ulnar], "arm")])
    odd = ChoiceQuestion(id="structure-site--vagus-nerve", type="mcq", module="sites", lesson="sites-lesson",
                         stem="Where?", explanation="E.", sources=("src",), mblex="anatomy-physiology",
                         difficulty=1, safety_critical=False, origin="generated",
                         options=(Choice("below-earlobe", "Below the earlobe", True, ""),
                                  Choice("greater-sciatic-notch", "The buttock", False, ""),
                                  Choice("medial-epicondyle", "The inner elbow", False, "")))
    bank = Bank(course=course, questions=(odd,))
    messages = _errors(bank, "structure-site--vagus-nerve")
    assert any("'The buttock' is in another half" in m for m in messages)
    assert not any("'The inner elbow'" in m for m in messages)


def test_the_digest_follows_what_an_item_shows_and_a_changed_item_is_stale() -> None:
    item = _mcq("pulse", ["Move off", "Press", "Stay"])
    bank = build_bank(make_course([], [item]))
    question = bank.get("pulse")
    assert question is not None and len(digest(question)) >= 12
    assert digest(question) == digest(build_bank(make_course([], [item])).get("pulse"))  # type: ignore[arg-type]
    reworded = build_bank(make_course([], [_mcq("pulse", ["Move off it", "Press", "Stay"])])).get("pulse")
    assert reworded is not None and digest(reworded) != digest(question)
    record = Review.model_validate(entry(question, "pass", dt.date(2026, 5, 1)))
    current = make_course([], [item]).model_copy(update={"reviews": [record]})
    assert not any("changed since" in f.message for f in review(build_bank(current)).errors)
    changed = make_course([], [_mcq("pulse", ["Move off it", "Press", "Stay"])]).model_copy(update={"reviews": [record]})
    report = review(build_bank(changed))
    assert any(f.item == "pulse" and "changed since its last review" in f.message for f in report.errors)
    assert "stale 1" in "\n".join(report.lines())
