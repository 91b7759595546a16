"""The planner: due first by risk, new items interleaved by module, scope, counts, forecast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.models import TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.errors import QuizError
from quizzes.planner import Counts, Limits, forecast, keep_pace, plan_next, retrievability
from quizzes.scheduling import forgetting_curve, recall_after
from tests.quizzes.synthetic import CATALOGUE, make_course, site

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def statement(qid: str, lesson: str = "other-lesson") -> TrueFalseQuestion:
    return TrueFalseQuestion(id=qid, type="truefalse", lesson=lesson, stem="True?", explanation="E.", sources=["src"],
                             mblex="ethics-laws", difficulty=1, answer=True, reason="R.")


@pytest.fixture(scope="module")
def bank() -> Bank:
    """Module `sites`: 3 generated hotspots (lesson sites-lesson); module `other`: 4 statements."""
    ulnar = next(x for x in CATALOGUE if x.id == "ulnar-nerve")
    sites = [site(s, [ulnar]) for s in ("axilla", "medial-epicondyle", "twelfth-rib")]
    others = [statement(f"other-{i}") for i in range(4)]
    return build_bank(make_course(sites, others))


def card(due: dt.datetime, stability: float = 5.0, state: int = 2) -> dict[str, Any]:
    return {"card_id": 1, "state": state, "step": None if state == 2 else 0, "stability": stability,
            "difficulty": 5.0, "due": due.isoformat(), "last_review": (due - dt.timedelta(days=1)).isoformat()}


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def test_due_first_most_overdue_relative_to_stability(bank: Bank) -> None:
    cards = {
        "other-0": card(ago(2), stability=60),  # 2 days late on a 60-day memory
        "other-1": card(ago(1), stability=2),  # 1 day late on a 2-day memory: most at risk
        "other-2": card(ago(-1)),  # not due yet
        "site-map--axilla": card(ago(0.5), stability=0.5, state=1),  # learning
    }
    plan = plan_next(cards, bank, Limits(), NOW)
    assert plan.next is not None and plan.next.id == "site-map--axilla" and plan.kind == "due"
    assert plan.counts == Counts(new=3, learning=1, due=2)
    del cards["site-map--axilla"]
    assert plan_next(cards, bank, Limits(), NOW).next.id == "other-1"  # type: ignore[union-attr]
    assert plan_next(cards, bank, Limits(), NOW, last_item="other-1").next.id == "other-0"  # type: ignore[union-attr]


def test_new_items_interleave_modules_after_the_last_one(bank: Bank) -> None:
    shown: list[str] = []
    cards: dict[str, dict[str, Any]] = {}
    last = None
    for _ in range(7):
        plan = plan_next(cards, bank, Limits(), NOW, new_seen_today=len(shown), last_item=last)
        assert plan.next is not None and plan.kind == "new"
        shown.append(plan.next.id)
        cards[plan.next.id] = card(NOW + dt.timedelta(days=3))
        last = plan.next.id
    modules = [bank.get(item).module for item in shown]  # type: ignore[union-attr]
    assert modules == ["sites", "other", "sites", "other", "sites", "other", "other"]
    assert shown[:2] == ["site-map--axilla", "other-0"]  # within a module: lesson order, then id
    assert len(set(shown)) == 7
    assert plan_next(cards, bank, Limits(), NOW, last_item=last).next is None


def test_daily_new_limit(bank: Bank) -> None:
    plan = plan_next({}, bank, Limits(new_per_day=2), NOW, new_seen_today=2)
    assert plan.next is None and plan.counts == Counts(new=0, learning=0, due=0)
    plan = plan_next({}, bank, Limits(new_per_day=5), NOW, new_seen_today=3)
    assert plan.next is not None and plan.counts.new == 2


def test_scope_by_module_and_lesson(bank: Bank) -> None:
    cards = {"other-0": card(ago(1)), "site-map--axilla": card(ago(1))}
    only_sites = plan_next(cards, bank, Limits(modules=frozenset({"sites"})), NOW)
    assert only_sites.next.id == "site-map--axilla"  # type: ignore[union-attr]
    assert only_sites.counts == Counts(new=2, learning=0, due=1)
    lesson = plan_next(cards, bank, Limits(lesson="other-lesson"), NOW, last_item="other-0")
    # the only due item of the lesson was just answered: a new one of the lesson comes instead
    assert lesson.next is not None and lesson.next.id == "other-1" and lesson.counts.due == 1
    assert plan_next(cards, bank, Limits(lesson="nope"), NOW).next is None


def test_last_item_is_repeated_only_when_nothing_else_can_be_shown(bank: Bank) -> None:
    cards = {item.id: card(NOW + dt.timedelta(days=9)) for item in bank.questions}
    cards["other-3"] = card(ago(1))
    plan = plan_next(cards, bank, Limits(), NOW, last_item="other-3")
    assert plan.next is not None and plan.next.id == "other-3"


def test_unknown_cards_are_ignored(bank: Bank) -> None:
    plan = plan_next({"deleted-question": card(ago(3))}, bank, Limits(new_per_day=0), NOW)
    assert plan.next is None and plan.counts == Counts(0, 0, 0)


def test_forecast_counts_per_day_with_overdue_today() -> None:
    cards = {
        "a1": card(ago(3)),
        "a2": card(NOW + dt.timedelta(hours=11)),  # 23:00 today
        "a3": card(NOW + dt.timedelta(hours=13)),  # 01:00 tomorrow
        "a4": card(NOW + dt.timedelta(days=13, hours=11)),
        "a5": card(NOW + dt.timedelta(days=14, hours=1)),  # beyond the 14 days
    }
    result = forecast(cards, NOW)
    assert len(result) == 14
    assert result[0] == 2 and result[1] == 1 and result[13] == 1 and sum(result) == 4
    assert forecast(cards, NOW, days=2) == [2, 1]


def test_naive_now_is_refused(bank: Bank) -> None:
    with pytest.raises(QuizError):
        plan_next({}, bank, Limits(), NOW.replace(tzinfo=None))


ITEM_IDS = ["other-0", "other-1", "other-2", "other-3", "site-map--axilla", "site-map--medial-epicondyle",
            "site-map--twelfth-rib", "deleted-item"]


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.sampled_from(ITEM_IDS),
                    st.tuples(st.floats(-30, 30), st.floats(0.1, 100), st.sampled_from([1, 2, 3])), max_size=8),
    st.sampled_from([None, *ITEM_IDS]),
    st.integers(0, 4),
    st.sampled_from([Limits(), Limits(new_per_day=2), Limits(modules=frozenset({"other"})),
                     Limits(lesson="sites-lesson"), Limits(new_per_day=0)]),
)
def test_planner_properties(bank: Bank, spec: dict, last: str | None, new_seen: int, limits: Limits) -> None:
    cards = {item: card(NOW - dt.timedelta(days=late), stability, state)
             for item, (late, stability, state) in spec.items()}
    plan = plan_next(cards, bank, limits, NOW, new_seen_today=new_seen, last_item=last)
    scope = {q.id for q in bank.questions
             if (limits.lesson is None or q.lesson == limits.lesson)
             and (limits.modules is None or q.module in limits.modules)}
    due = [i for i, c in cards.items() if i in scope and dt.datetime.fromisoformat(c["due"]) <= NOW]
    unseen = [i for i in scope if i not in cards]
    assert plan.counts.due + plan.counts.learning == len(due)
    assert plan.counts.new == min(max(0, limits.new_per_day - new_seen), len(unseen))
    if plan.next is None:
        assert not [i for i in due if i != last] and (plan.counts.new == 0 or unseen == [last])
        return
    assert plan.next.id in scope
    others = [i for i in due if i != last] + ([i for i in unseen if i != last] if plan.counts.new else [])
    if others:
        assert plan.next.id != last
    if [i for i in due if i != last]:
        assert plan.kind == "due" and plan.next.id in due
    elif plan.kind == "new":
        assert plan.next.id in unseen and plan.counts.new > 0


def test_keep_pace_meets_new_items_at_the_limit_and_remembers_what_falls_due(bank: Bank) -> None:
    until = NOW + dt.timedelta(days=3)
    projected = keep_pace({}, bank, Limits(new_per_day=2), NOW, until, lambda _item: 0.9)
    assert len(projected) == 6  # 2 a day on 3 days, of 7 items
    assert all(c["state"] == 2 and c["last_review"] for c in projected.values())  # learned within the sitting
    # Modules take turns, as plan_next brings new items.
    modules = sorted(bank.get(item).module for item in projected)  # type: ignore[union-attr]
    assert modules.count("sites") == 3 and modules.count("other") == 3
    # Memories only grow when every due review is remembered: recall at the end is high.
    assert min(retrievability(c, until) for c in projected.values()) > 0.85
    assert keep_pace(projected, bank, Limits(new_per_day=2), until, until, lambda _item: 0.9) == projected


def test_forgetting_curve_is_the_schedulers() -> None:
    decay, factor = forgetting_curve()
    assert recall_after(7.0, 7.0) == pytest.approx(0.9)  # R(S) = 0.9 by definition of stability
    assert recall_after(7.0, 0.0) == 1.0
    assert (1 + factor * 14 / 7) ** -decay == pytest.approx(recall_after(7.0, 14.0))
