"""The planner's priority set: assigned items go first among due items and among new ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from course.models import TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.planner import Limits, plan_next
from tests.quizzes.synthetic import CATALOGUE, make_course, site

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def statement(qid: str) -> TrueFalseQuestion:
    return TrueFalseQuestion(id=qid, type="truefalse", lesson="other-lesson", stem="True?", explanation="E.",
                             sources=["src"], mblex="ethics-laws", difficulty=1, answer=True, reason="R.")


@pytest.fixture(scope="module")
def bank() -> Bank:
    ulnar = next(x for x in CATALOGUE if x.id == "ulnar-nerve")
    sites = [site(s, [ulnar]) for s in ("axilla", "medial-epicondyle", "twelfth-rib")]
    return build_bank(make_course(sites, [statement(f"other-{i}") for i in range(4)]))


def card(due: dt.datetime, stability: float = 5.0) -> dict[str, Any]:
    return {"card_id": 1, "state": 2, "step": None, "stability": stability, "difficulty": 5.0,
            "due": due.isoformat(), "last_review": (due - dt.timedelta(days=1)).isoformat()}


def test_a_due_priority_item_comes_before_a_more_overdue_one(bank: Bank) -> None:
    cards = {"other-0": card(NOW - dt.timedelta(days=3), stability=1), "other-1": card(NOW - dt.timedelta(hours=1))}
    assert plan_next(cards, bank, Limits(), NOW).next.id == "other-0"  # type: ignore[union-attr]
    limits = Limits(priority=frozenset({"other-1"}))
    assert plan_next(cards, bank, limits, NOW).next.id == "other-1"  # type: ignore[union-attr]


def test_a_new_priority_item_comes_before_other_new_items(bank: Bank) -> None:
    plain = plan_next({}, bank, Limits(), NOW).next
    assert plain is not None and plain.id != "other-3"
    chosen = plan_next({}, bank, Limits(priority=frozenset({"other-3"})), NOW)
    assert chosen.next is not None and chosen.next.id == "other-3" and chosen.kind == "new"


def test_priority_never_beats_a_due_item_with_a_new_one_and_respects_the_new_limit(bank: Bank) -> None:
    cards = {"other-0": card(NOW - dt.timedelta(hours=1))}
    limits = Limits(priority=frozenset({"other-3"}))
    assert plan_next(cards, bank, limits, NOW).next.id == "other-0"  # type: ignore[union-attr]
    assert plan_next({}, bank, Limits(new_per_day=1, priority=frozenset({"other-3"})), NOW, new_seen_today=1).next is None


def test_priority_items_out_of_scope_are_not_shown(bank: Bank) -> None:
    limits = Limits(modules=frozenset({"sites"}), priority=frozenset({"other-3"}))
    chosen = plan_next({}, bank, limits, NOW).next
    assert chosen is not None and chosen.module == "sites"
