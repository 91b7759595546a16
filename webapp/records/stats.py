"""Progress aggregates in SQL, for one learner or a whole class.

Every function takes `(session, user_ids, now, ...)`, where `user_ids` is one
id or several, so the instructor dashboard reuses them for a class. Counting is
done by the database (GROUP BY); Python only reshapes the grouped rows. Reviews
per day and true retention sum the activity rollups (`webapp.records.activity`) rather
than the reviews, so their cost does not grow with a class's history. Days are
calendar days in the `zone` given (the learner's own, or the class's on the
instructor's pages; UTC when None), with `webapp.platform.clock` as the one rule. Items no longer in the bank are "retired": kept, shown apart, and
left out of mastery, the forecast and the weakest items.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import ColumnElement, Date, bindparam, case, cast, func, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from webapp.platform.clock import UTC_NAME, day_start, local_date, local_midnight, valid_zone
from webapp.platform.models import ItemState, Review, as_utc
from webapp.records import activity

MASTERED_DAYS = 21.0  # stability at which an item counts as mastered

UserIds = Sequence[int] | int


def _ids(user_ids: UserIds) -> list[int]:
    return [user_ids] if isinstance(user_ids, int) else list(user_ids)


def day_of(session: Session, column: Any, zone: str | None = None) -> ColumnElement[Any]:
    """The calendar day of a timestamp column in `zone` (UTC when None), on SQLite and PostgreSQL."""
    name = zone if zone and valid_zone(zone) else UTC_NAME
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone(name, column), Date)
    if name == UTC_NAME:
        return func.date(column)  # SQLite stores naive UTC text
    return func.local_date(column, name)  # registered on each SQLite connection (webapp.platform.db)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def retired_ids(session: Session, user_ids: UserIds, bank: Bank) -> set[str]:
    """Item ids the learners have states for that the bank no longer holds."""
    seen = session.scalars(select(ItemState.item_id).where(ItemState.user_id.in_(_ids(user_ids))).distinct())
    return {item_id for item_id in seen if item_id not in bank}


@dataclass(frozen=True)
class ModuleMastery:
    """Mastery of one module: items mastered of the items there are (per learner, summed)."""

    module_id: str
    title: str
    total: int
    seen: int
    mastered: int

    @property
    def share(self) -> float:
        """Mastered share, 0..1."""
        return self.mastered / self.total if self.total else 0.0


def mastery_by_user_module(session: Session, user_ids: UserIds, now: dt.datetime, *, bank: Bank) -> dict[tuple[int, str], tuple[int, int]]:
    """(user id, module id) -> (items seen, items mastered), live items only."""
    ids = _ids(user_ids)
    query = (
        select(
            ItemState.user_id,
            ItemState.module,
            func.count(),
            func.sum(case((ItemState.stability >= MASTERED_DAYS, 1), else_=0)),
        )
        .where(ItemState.user_id.in_(ids))
        .group_by(ItemState.user_id, ItemState.module)
    )
    retired = retired_ids(session, ids, bank)
    if retired:
        query = query.where(ItemState.item_id.not_in(retired))
    return {(user_id, module): (int(seen), int(mastered or 0)) for user_id, module, seen, mastered in query_rows(session, query) if module}


def module_mastery(session: Session, user_ids: UserIds, now: dt.datetime, *, bank: Bank) -> list[ModuleMastery]:
    """Per module, in course order: mastery summed over the learners."""
    ids = _ids(user_ids)
    cells = mastery_by_user_module(session, ids, now, bank=bank)
    result = []
    for module in sorted(bank.modules, key=lambda m: (m.order, m.id)):
        seen = sum(cell[0] for (_, module_id), cell in cells.items() if module_id == module.id)
        mastered = sum(cell[1] for (_, module_id), cell in cells.items() if module_id == module.id)
        result.append(ModuleMastery(module.id, module.title, len(bank.by_module(module.id)) * len(ids), seen, mastered))
    return result


@dataclass(frozen=True)
class ObjectiveMastery:
    """One learning objective for one learner or a class: its items met and mastered."""

    objective_id: str
    module_id: str
    text: str
    safety_critical: bool
    items: int  # the objective's items, times the learners counted
    seen: int
    mastered: int
    declared: bool = True  # written in an objectives file (False: the generated items of one site or table)

    @property
    def status(self) -> str:
        """"mastered" (every item of it mastered), "learning" (some met) or "not started"."""
        if self.items and self.mastered == self.items:
            return "mastered"
        return "learning" if self.seen else "not started"


def objective_mastery(session: Session, user_ids: UserIds, now: dt.datetime, *, bank: Bank) -> list[ObjectiveMastery]:
    """Per learning objective, in course order (module, then as the module lists them): mastery summed over the learners.

    Objectives are not stored with the answers (content may regroup items), so the
    item states are read and grouped by the bank's objectives here.
    """
    ids = _ids(user_ids)
    states = session.execute(
        select(ItemState.item_id, ItemState.stability).where(ItemState.user_id.in_(ids))
    ).all()
    seen: dict[str, int] = {}
    mastered: dict[str, int] = {}
    for item_id, stability in states:
        question = bank.get(item_id)
        if question is None or not question.objective:
            continue
        seen[question.objective] = seen.get(question.objective, 0) + 1
        if (stability or 0.0) >= MASTERED_DAYS:
            mastered[question.objective] = mastered.get(question.objective, 0) + 1
    declared = {objective.id: objective for objective in bank.course.objectives}
    result = []
    for module in sorted(bank.modules, key=lambda m: (m.order, m.id)):
        tested = {q.objective for q in bank.by_module(module.id) if q.objective}
        # Declared objectives in the order the module lists them, then the generated ones.
        order = [o.id for o in bank.course.objectives if o.id in tested] + sorted(tested - set(declared))
        for objective_id in order:
            items = bank.by_objective(objective_id)
            safety = declared[objective_id].safety_critical if objective_id in declared else any(
                q.safety_critical for q in items)
            result.append(ObjectiveMastery(objective_id, module.id, bank.objective_text(objective_id), safety,
                                           len(items) * len(ids), seen.get(objective_id, 0),
                                           mastered.get(objective_id, 0), objective_id in declared))
    return result


def query_rows(session: Session, query: Any) -> list[Any]:
    """Run a Core query and return its rows."""
    return list(session.execute(query))


@dataclass(frozen=True)
class Retention:
    """True retention: passed reviews of items in review state, out of all such reviews."""

    passed: int
    total: int

    @property
    def share(self) -> float | None:
        """Passed share, or None with no reviews to judge by."""
        return self.passed / self.total if self.total else None


def true_retention(session: Session, user_ids: UserIds, now: dt.datetime, days: int = 30) -> Retention:
    """Anki's true retention over the last `days` days (pass = any rating but Again), from the activity rollups."""
    answers = activity.window(_ids(user_ids), now - dt.timedelta(days=days), now)
    total, passed = session.execute(select(func.sum(answers.c.in_review), func.sum(answers.c.passed))).one()
    return Retention(int(passed or 0), int(total or 0))


@dataclass(frozen=True)
class DayCount:
    """Reviews on one UTC day, and how many of them were correct."""

    day: dt.date
    reviews: int
    correct: int


def reviews_per_day(session: Session, user_ids: UserIds, now: dt.datetime, days: int = 90,
                    zone: str | None = None) -> list[DayCount]:
    """One entry per day (in `zone`) for the last `days` days, oldest first, zeros included."""
    today = local_date(now, zone)
    first = today - dt.timedelta(days=days - 1)
    # Summed from the activity rollups: a local midnight is a quarter-hour boundary in UTC,
    # so each bucket lies within one day and `day_of` its start is the day of its reviews.
    answers = activity.window(_ids(user_ids), day_start(first, zone), now)
    day = day_of(session, answers.c.at, zone)
    rows = session.execute(select(day, func.sum(answers.c.reviews), func.sum(answers.c.correct)).group_by(day))
    counts = {_as_date(d): (int(n), int(c or 0)) for d, n, c in rows}
    return [DayCount(first + dt.timedelta(days=i), *counts.get(first + dt.timedelta(days=i), (0, 0))) for i in range(days)]


def due_forecast(session: Session, user_ids: UserIds, now: dt.datetime, days: int = 14, *, bank: Bank,
                 zone: str | None = None) -> list[int]:
    """Items due on each of the next `days` days in `zone` (today first, overdue counted today)."""
    ids = _ids(user_ids)
    today = local_date(now, zone)
    end = day_start(today + dt.timedelta(days=days), zone)
    day = day_of(session, ItemState.due, zone)
    query = select(day, func.count()).where(ItemState.user_id.in_(ids), ItemState.due < end).group_by(day)
    retired = retired_ids(session, ids, bank)
    if retired:
        query = query.where(ItemState.item_id.not_in(retired))
    result = [0] * days
    for d, n in session.execute(query):
        result[max(0, (_as_date(d) - today).days)] += int(n)
    return result


def streak(session: Session, user_id: int, now: dt.datetime, zone: str | None = None) -> int:
    """Consecutive days (in `zone`) with a review, ending today (or yesterday, if not yet today)."""
    day = day_of(session, Review.reviewed_at, zone)
    days = [
        _as_date(d)
        for d in session.scalars(
            select(day).where(Review.user_id == user_id, Review.reviewed_at <= now).group_by(day).order_by(day.desc()).limit(800)
        )
    ]
    today = local_date(now, zone)
    expected = today if days and days[0] == today else today - dt.timedelta(days=1)
    count = 0
    for d in days:
        if d != expected:
            break
        count += 1
        expected -= dt.timedelta(days=1)
    return count


@dataclass(frozen=True)
class ItemSummary:
    """One item's record for the learners: lapses, memory, answers."""

    item_id: str
    learners: int
    lapses: int
    stability: float | None
    difficulty: float | None
    reviews: int
    correct: int


def weakest_items(session: Session, user_ids: UserIds, now: dt.datetime, limit: int = 10, *, bank: Bank) -> list[ItemSummary]:
    """Live items with the most lapses, then the least stable: what to work on next."""
    ids = _ids(user_ids)
    query = (
        select(
            ItemState.item_id,
            func.count(),
            func.sum(ItemState.lapses),
            func.avg(ItemState.stability),
            func.avg(ItemState.difficulty),
        )
        .where(ItemState.user_id.in_(ids))
        .group_by(ItemState.item_id)
        .order_by(func.sum(ItemState.lapses).desc(), func.avg(ItemState.stability).asc(), ItemState.item_id)
    )
    retired = retired_ids(session, ids, bank)
    if retired:
        query = query.where(ItemState.item_id.not_in(retired))
    rows = list(session.execute(query.limit(limit)))
    answers = _answer_counts(session, ids, [row[0] for row in rows])
    return [
        ItemSummary(item_id, int(n), int(lapses or 0), _float(stab), _float(diff), *answers.get(item_id, (0, 0)))
        for item_id, n, lapses, stab, diff in rows
    ]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _answer_counts(session: Session, user_ids: list[int], item_ids: list[str]) -> dict[str, tuple[int, int]]:
    if not item_ids:
        return {}
    rows = session.execute(
        select(Review.item_id, func.count(), func.sum(case((Review.result == "correct", 1), else_=0)))
        .where(Review.user_id.in_(user_ids), Review.item_id.in_(item_ids))
        .group_by(Review.item_id)
    )
    return {item_id: (int(n), int(c or 0)) for item_id, n, c in rows}


@dataclass(frozen=True)
class RetiredItem:
    """An item answered before it left the course: its answers are kept."""

    item_id: str
    module: str | None
    reviews: int
    last_reviewed: dt.datetime


def retired_items(session: Session, user_ids: UserIds, now: dt.datetime, *, bank: Bank) -> list[RetiredItem]:
    """Items with reviews that the bank no longer holds, most recently reviewed first."""
    rows = session.execute(
        select(Review.item_id, func.max(Review.module), func.count(), func.max(Review.reviewed_at))
        .where(Review.user_id.in_(_ids(user_ids)))
        .group_by(Review.item_id)
    )
    retired = [RetiredItem(item_id, module, int(n), as_utc(last)) for item_id, module, n, last in rows if item_id not in bank]
    return sorted(retired, key=lambda item: item.last_reviewed, reverse=True)




@dataclass(frozen=True)
class Totals:
    """Headline numbers: all reviews, reviews today, items seen, items due now."""

    reviews: int
    today: int
    items_seen: int
    due_now: int


def totals(session: Session, user_ids: UserIds, now: dt.datetime, *, bank: Bank, zone: str | None = None) -> Totals:
    """Headline counts for the progress page ("today" starts at midnight in `zone`)."""
    ids = _ids(user_ids)
    midnight = local_midnight(now, zone)
    reviews, today = session.execute(
        select(func.count(), func.sum(case((Review.reviewed_at >= midnight, 1), else_=0))).where(Review.user_id.in_(ids))
    ).one()
    retired = retired_ids(session, ids, bank)
    live = ItemState.user_id.in_(ids) if not retired else ItemState.user_id.in_(ids) & ItemState.item_id.not_in(retired)
    seen, due = session.execute(
        select(func.count(), func.sum(case((ItemState.due <= now, 1), else_=0))).where(live)
    ).one()
    return Totals(int(reviews or 0), int(today or 0), int(seen or 0), int(due or 0))


# Every study page loads all the learner's cards: a statement built once, over
# table columns (Core rows, not the ORM's per-row handling: a third of its time).
_CARDS = select(ItemState.__table__.c.item_id, ItemState.__table__.c.card).where(
    ItemState.__table__.c.user_id == bindparam("user_id"))


def load_cards(session: Session, user_id: int, bank: Bank) -> dict[str, dict[str, Any]]:
    """The learner's fsrs cards of items still in the bank (retired items are not studied)."""
    rows = session.execute(_CARDS, {"user_id": user_id})
    return {item_id: card for item_id, card in rows if item_id in bank}
