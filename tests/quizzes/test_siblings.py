"""Siblings (items of one objective): never two on one day in the planner, at most one per exam."""

from __future__ import annotations

import datetime as dt
from typing import Any

from course.models import TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.exams import draw_exam
from quizzes.planner import Limits, plan_next
from quizzes.scheduling import Rating, review
from tests.quizzes.synthetic import make_course

UTC = dt.timezone.utc
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _tf(qid: str, objective: str, angle: str) -> TrueFalseQuestion:
    return TrueFalseQuestion(id=qid, type="truefalse", lesson="other-lesson", stem=f"True or false: {qid}.",
                             explanation="E.", sources=["src"], mblex="ethics-laws", difficulty=1, answer=True,
                             reason="R.", objective=objective, angle=angle)


def _family_bank() -> Bank:
    items = [_tf(f"o{o}-{angle}", f"objective-{o}", angle)
             for o in range(4) for angle in ("recognise", "apply", "explain")]
    return build_bank(make_course([], items))


def _simulate(bank: Bank, days: int, per_day: int = 40) -> list[list[str]]:
    """Each day's answered items when a learner studies everything the planner offers, rating Good."""
    cards: dict[str, dict[str, Any]] = {}
    shown: list[list[str]] = []
    limits = Limits(new_per_day=per_day)
    for day in range(days):
        now = START + dt.timedelta(days=day)
        today: list[str] = []
        new_today = 0
        for _ in range(per_day * 4):
            plan = plan_next(cards, bank, limits, now, new_seen_today=new_today,
                             last_item=today[-1] if today else None, answered_today=today)
            if plan.next is None:
                break
            item = plan.next.id
            new_today += item not in cards
            cards[item] = review(cards.get(item), int(Rating.GOOD), now, 0.9, fuzz=False).card
            today.append(item)
            now += dt.timedelta(minutes=11)  # past a learning step, so learning cards come back today
        shown.append(today)
    return shown


def _siblings_on_one_day(bank: Bank, days: list[list[str]]) -> list[tuple[int, str, str]]:
    found = []
    for number, items in enumerate(days):
        for item in set(items):
            found.extend((number, item, other) for other in bank.siblings(item) if other in items)
    return found


def test_bank_knows_siblings_and_objectives() -> None:
    bank = _family_bank()
    assert set(bank.siblings("o1-apply")) == {"o1-recognise", "o1-explain"}
    assert [q.id for q in bank.by_objective("objective-1")] == ["o1-apply", "o1-explain", "o1-recognise"]
    assert bank.siblings("no-such-item") == ()


def test_the_planner_never_shows_two_siblings_on_one_day() -> None:
    bank = _family_bank()
    days = _simulate(bank, days=6)
    assert _siblings_on_one_day(bank, days) == []
    assert len(days[0]) >= 4, "one item of each objective on day one"
    assert {item for day in days for item in day} == bank.ids, "the others come on later days"


def test_without_answered_today_the_old_behaviour_holds() -> None:
    # The web app does not pass answered_today yet: siblings are then not held back.
    bank = _family_bank()
    plan = plan_next({}, bank, Limits(), START, new_seen_today=1, last_item="o0-apply")
    assert plan.next is not None and plan.next.id == "o0-explain"


def test_days_of_study_on_the_real_bank_show_no_two_siblings_on_one_day(real_bank: Bank) -> None:
    assert any(real_bank.siblings(q.id) for q in real_bank.questions), "the real bank has sibling groups"
    days = _simulate(real_bank, days=8, per_day=30)
    assert _siblings_on_one_day(real_bank, days) == []
    assert sum(len(day) for day in days) > 200


def test_an_exam_holds_at_most_one_item_per_objective(real_bank: Bank) -> None:
    for seed in range(5):
        items = [real_bank.get(item) for item in draw_exam(real_bank, 100, seed=seed)]
        objectives = [q.objective for q in items if q is not None and q.objective]
        assert len(objectives) == len(set(objectives)), seed
    family = _family_bank()
    drawn = draw_exam(family, 20, seed=3)
    assert len(drawn) == 4 and len({family.get(i).objective for i in drawn}) == 4  # type: ignore[union-attr]
