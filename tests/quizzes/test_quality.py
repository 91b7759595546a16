"""The bank's item-writing checks: the real course meets them, and each rule catches what it should."""

from __future__ import annotations

from typing import Any

import pytest

from course.loader import DEFAULT_CONTENT
from course.models import McqQuestion, Option, TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.quality import ATTRIBUTION_CAP, giveaways, review
from quizzes.questions import Choice, ChoiceQuestion, MatchingQuestion, Pair
from quizzes.similarity import groups, near_duplicate_pairs
from tests.quizzes.synthetic import make_course

# Issue 21's rules (objectives, cues, review ledger) fail the content until the
# content branches that add objectives are merged; the rules are tested on
# small banks in test_cues.py and test_objectives.py meanwhile.
needs_objectives = pytest.mark.skipif(
    not list(DEFAULT_CONTENT.glob("*/objectives.yaml")), reason="content branches with objectives not merged yet")


def _own(report: Any, *words: str) -> list[Any]:
    """The errors about one rule (each test here checks one; issue 21's rules add their own)."""
    return [f for f in report.errors if any(word in f.message for word in words)]


@needs_objectives
def test_real_bank_meets_the_item_writing_rules(real_bank: Bank) -> None:
    # The figures issue 15 asks for, as `massage-course check` prints them.
    report = review(real_bank)
    assert report.errors == []
    assert report.duplicate_groups == []
    assert report.attribution_share <= ATTRIBUTION_CAP
    assert 0.40 <= report.true_share <= 0.60
    scenarios = [i for ids in report.scenarios.values() for i in ids]
    assert len(scenarios) >= 40
    assert all(len(report.scenarios[m.id]) >= 8 for m in real_bank.modules)
    assert sum(sum(c.values()) for c in report.by_module_type.values()) == len(real_bank)
    assert "near-duplicate groups" in "".join(report.lines())


def test_no_false_statement_or_wrong_option_hinges_on_an_absolute_word(real_bank: Bank) -> None:
    # Failed reviews are warnings too (on the record until rewritten); this test is about absolute words.
    assert [f for f in review(real_bank).warnings if "failed review" not in f.message] == []


def test_an_absolute_wrong_option_is_a_warning() -> None:
    item = _mcq("pulse-in-armpit", "You feel a pulse in the armpit. What do you do?", "Move off the pulse")
    item = item.model_copy(update={"options": [*item.options[:2], Option(
        id="never-again", text="Never massage the armpit again", why="Wrong.")]})
    assert [f.message for f in review(_bank(item)).warnings] == [
        "wrong option 'never-again' hinges on the absolute word 'Never'"]


def _mcq(qid: str, stem: str, key: str, **extra: Any) -> McqQuestion:
    return McqQuestion(
        id=qid, type="mcq", lesson="other-lesson", stem=stem, explanation="Because.", sources=["src"],
        mblex="pathology-contraindications", difficulty=1,
        options=[Option(id="key", text=key, correct=True, why="Right."),
                 Option(id="harder", text="Press harder on it", why="Wrong."),
                 Option(id="ambulance", text="Call an ambulance at once", why="Wrong.")],
        **extra,
    )


def _tf(qid: str, stem: str, answer: bool) -> TrueFalseQuestion:
    return TrueFalseQuestion(id=qid, type="truefalse", lesson="other-lesson", stem=stem, answer=answer,
                             reason="Because.", explanation="Because.", sources=["src"],
                             mblex="pathology-contraindications", difficulty=1)


def _bank(*questions: Any) -> Bank:
    return build_bank(make_course([], list(questions)))


def test_a_reworded_item_with_the_same_key_is_a_near_duplicate() -> None:
    bank = _bank(
        _mcq("pulse-in-armpit", "You feel a pulse under your fingertips in the armpit. What do you do?",
             "Move your fingers off the pulse"),
        _mcq("armpit-pulse-again", "In the armpit, a pulse beats under your fingertips. What should you do?",
             "Move your fingers off the pulse"),
        _mcq("belly-pulse", "Deep in the belly you feel a strong pulse. What do you do?", "Lighten and move off the aorta"),
    )
    assert groups((p.first, p.second) for p in near_duplicate_pairs(bank)) == [("armpit-pulse-again", "pulse-in-armpit")]
    report = review(bank)
    assert report.duplicate_groups == [("armpit-pulse-again", "pulse-in-armpit")]
    assert [f.item for f in _own(report, "near-duplicate")] == ["armpit-pulse-again"]


def test_declared_variants_are_listed_not_reported() -> None:
    bank = _bank(
        _mcq("pulse-in-armpit", "You feel a pulse under your fingertips in the armpit. What do you do?",
             "Move your fingers off the pulse"),
        _mcq("armpit-pulse-again", "In the armpit, a pulse beats under your fingertips. What should you do?",
             "Move your fingers off the pulse", variant_of="pulse-in-armpit"),
    )
    report = review(bank)
    assert report.duplicate_groups == []
    assert report.declared_groups == [("armpit-pulse-again", "pulse-in-armpit")]
    assert _own(report, "near-duplicate") == []


def test_generated_giveaways_are_caught() -> None:
    common: dict[str, Any] = dict(type="mcq", module="m", lesson="l", explanation="", sources=("s",), mblex="x",
                                  difficulty=1, safety_critical=False, origin="generated")
    clue = ChoiceQuestion(id="structure-site--axillary-artery",
                          stem="Which endangerment site exposes the axillary artery?",
                          options=(Choice("axilla", "Axilla", True, ""), Choice("groin", "Inguinal triangle", False, "")),
                          **common)
    clean = ChoiceQuestion(id="structure-site--axillary-artery",
                           stem="Which endangerment site exposes the axillary artery?",
                           options=(Choice("axilla", "The armpit", True, ""), Choice("groin", "The groin", False, "")),
                           **common)
    assert giveaways(clue) == ["correct option 'Axilla' shares a word stem with the prompt"]
    assert giveaways(clean) == []
    pair = MatchingQuestion(id="match-sites--leg", stem="Match.", pairs=(Pair("p", "Popliteal fossa", "Popliteal artery"),),
                            right_order=("p",), **{**common, "type": "matching"})
    assert giveaways(pair) == ["pair 'Popliteal fossa' = 'Popliteal artery' shares a word stem"]


def test_truefalse_balance_and_absolute_words() -> None:
    statements = [_tf(f"myth-{i}", f"True or false: pressure number {i} is never safe.", False) for i in range(8)]
    statements += [_tf(f"fact-{i}", f"True or false: fact number {i} holds.", True) for i in range(2)]
    report = review(_bank(*statements))
    assert report.true_share == 0.2
    assert any(f.item == "truefalse" and "2 of 10" in f.message for f in report.errors)
    assert len(report.warnings) == 8
    assert "absolute word 'never'" in report.warnings[0].message


def test_attribution_is_capped_over_the_bank() -> None:
    practice = [_mcq(f"practice-{i}", f"Client number {i} reports a zap at site {i}. What now?", f"Ease off variant {i}")
                for i in range(11)]
    who = _mcq("who-said", "According to Ingraham, what is the main reason nerves are rarely hurt?", "They are padded")
    report = review(_bank(*practice, who))
    assert report.attribution == {"sites": [], "other": ["who-said"]}
    assert any("attribution" in f.message for f in report.errors)  # 1 of 12 is over 5 %


def test_an_author_described_instead_of_named_is_still_attribution() -> None:
    described = [
        _mcq("described", "A former massage therapist argues that one of these is the soundest measure. Which?", "A"),
        _mcq("commenter", "One commenter who had deep massage says the soreness proved it worked. Why is that weak?", "B"),
    ]
    plain = _mcq("plain", "A client says the soreness proves it worked. What do you tell her?", "C")
    report = review(_bank(*described, plain))
    assert report.attribution["other"] == ["commenter", "described"]


def test_a_declaration_may_name_a_generated_item_but_it_must_exist() -> None:
    bank = _bank(_mcq("pulse-in-armpit", "You feel a pulse in the armpit. What do you do?", "Move off the pulse",
                      distinct_from=["site-map--no-such-site"]))
    assert [f.message for f in _own(review(bank), "declares a link")] == [
        "declares a link to 'site-map--no-such-site', which is not in the bank"]
