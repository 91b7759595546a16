"""Progress aggregates checked against values worked out by hand, on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from webapp.platform.db import get_session
from webapp.platform.models import ItemState, Review, User
from webapp.records import stats

NOW = dt.datetime(2026, 3, 10, 15, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


def _state(user: int, item: str, module: str, stability: float, due: dt.datetime, lapses: int = 0) -> ItemState:
    return ItemState(user_id=user, item_id=item, module=module, card={}, due=due, state=2, stability=stability,
                     difficulty=5.0, last_review=NOW - DAY, reps=3, lapses=lapses)


def _review(user: int, item: str, at: dt.datetime, rating: int, state_before: int = 2, result: str | None = None, n: list[int] = [0]) -> Review:
    n[0] += 1
    return Review(user_id=user, item_id=item, presentation_id=f"p{n[0]}", reviewed_at=at, response="x",
                  result=result or ("correct" if rating > 1 else "incorrect"), score=1.0, rating=rating, response_ms=1000,
                  attempt=1, state_before=state_before, module="m")


@pytest.fixture
def db(app: Flask) -> Any:
    bank = app.extensions["bank"]
    by_module: dict[str, list[str]] = {}
    for q in bank.questions:
        by_module.setdefault(q.module, []).append(q.id)
    m1, m2 = sorted(by_module)[:2]
    a1, a2, a3 = by_module[m1][:3]
    b1 = by_module[m2][0]
    with app.app_context():
        session = get_session()
        session.add_all([User(email=f"u{i}@example.com", display_name=f"U{i}", password_hash="x") for i in (1, 2)])
        session.flush()
        session.add_all([
            _state(1, a1, m1, 30.0, NOW - 2 * DAY, lapses=0),         # mastered, overdue -> today
            _state(1, a2, m1, 21.0, NOW + 3 * DAY, lapses=2),         # mastered (exactly 21), due in 3 days
            _state(1, a3, m1, 2.0, NOW + 20 * DAY, lapses=1),         # weak, due beyond the forecast
            _state(1, b1, m2, 5.0, NOW + DAY, lapses=3),              # weakest, due tomorrow
            _state(1, "retired-item", m1, 50.0, NOW, lapses=9),       # retired: left out everywhere
            _state(2, a1, m1, 40.0, NOW + DAY),                       # another learner
        ])
        session.add_all([
            _review(1, a1, NOW - 1 * DAY, 3), _review(1, a2, NOW - 1 * DAY, 1), _review(1, b1, NOW - 1 * DAY, 3, state_before=0),
            _review(1, a1, NOW - 2 * DAY, 4), _review(1, a3, NOW, 3, state_before=1),
            _review(1, a1, NOW - 4 * DAY, 3),                        # breaks the streak (day -3 missing)
            _review(1, a2, NOW - 40 * DAY, 1),                       # outside the 30-day window
            _review(1, "retired-item", NOW - 5 * DAY, 3),
            _review(2, a1, NOW - 1 * DAY, 1),
        ])
        session.commit()
        yield session, bank, (m1, m2), (a1, a2, a3, b1)


def test_mastery_per_module_ignores_retired_items(db: Any) -> None:
    session, bank, (m1, m2), _ = db
    rows = {m.module_id: m for m in stats.module_mastery(session, 1, NOW, bank=bank)}
    assert (rows[m1].seen, rows[m1].mastered, rows[m1].total) == (3, 2, len(bank.by_module(m1)))
    assert (rows[m2].seen, rows[m2].mastered) == (1, 0)
    both = {m.module_id: m for m in stats.module_mastery(session, [1, 2], NOW, bank=bank)}
    assert both[m1].mastered == 3 and both[m1].total == 2 * len(bank.by_module(m1))
    cells = stats.mastery_by_user_module(session, [1, 2], NOW, bank=bank)
    assert cells[(2, m1)] == (1, 1) and cells[(1, m2)] == (1, 0)


def test_true_retention_counts_review_state_answers_in_window(db: Any) -> None:
    session = db[0]
    # user 1, state_before 2, last 30 days: ratings 3, 1, 4, 3 and 3 (retired item) -> 4 of 5 passed
    assert stats.true_retention(session, 1, NOW) == stats.Retention(passed=4, total=5)
    assert stats.true_retention(session, 1, NOW).share == 0.8
    assert stats.true_retention(session, [1, 2], NOW) == stats.Retention(passed=4, total=6)
    assert stats.true_retention(session, 1, NOW, days=1) == stats.Retention(passed=1, total=2)  # b1 was new


def test_reviews_per_day_with_zeros(db: Any) -> None:
    session = db[0]
    days = stats.reviews_per_day(session, 1, NOW, days=7)
    assert [d.day for d in days] == [NOW.date() - dt.timedelta(days=6 - i) for i in range(7)]
    #                                        4 Mar   5 Mar   6 Mar   7 Mar   8 Mar   9 Mar   10 Mar
    assert [(d.reviews, d.correct) for d in days] == [(0, 0), (1, 1), (1, 1), (0, 0), (1, 1), (3, 2), (1, 1)]


def test_due_forecast_today_includes_overdue_and_excludes_retired(db: Any) -> None:
    session, bank = db[0], db[1]
    forecast = stats.due_forecast(session, 1, NOW, days=14, bank=bank)
    assert len(forecast) == 14
    assert forecast[0] == 1 and forecast[1] == 1 and forecast[3] == 1 and sum(forecast) == 3


def test_streak_counts_back_from_today(db: Any) -> None:
    session = db[0]
    assert stats.streak(session, 1, NOW) == 3  # 10, 9, 8 March; 7 March missing
    assert stats.streak(session, 1, NOW + DAY) == 3  # next morning, not yet studied: still alive
    assert stats.streak(session, 1, NOW + 2 * DAY) == 0
    assert stats.streak(session, 2, NOW) == 1  # yesterday only


def test_weakest_items_and_retired_list(db: Any) -> None:
    session, bank, _, (a1, a2, a3, b1) = db
    weakest = stats.weakest_items(session, 1, NOW, limit=3, bank=bank)
    assert [w.item_id for w in weakest] == [b1, a2, a3]
    assert (weakest[1].reviews, weakest[1].correct, weakest[1].lapses) == (2, 0, 2)
    retired = stats.retired_items(session, 1, NOW, bank=bank)
    assert [(r.item_id, r.reviews) for r in retired] == [("retired-item", 1)]
    assert retired[0].last_reviewed == NOW - 5 * DAY


def test_totals(db: Any) -> None:
    session, bank = db[0], db[1]
    totals = stats.totals(session, 1, NOW, bank=bank)
    assert totals == stats.Totals(reviews=8, today=1, items_seen=4, due_now=1)
