"""Class-level aggregates for the instructor dashboard, computed in SQL.

Per-learner figures that the student's own progress page also shows (mastery
by module, reviews per day, retention) come from `webapp.progress.stats`; this module adds
what only a class view needs.

Every figure is a GROUP BY over the class's own rows (reviews are reached
through the (user_id, reviewed_at) and (user_id, item_id) indexes), so a class of
40 stays fast in a database holding millions of other classes' reviews. Python
only joins the grouped rows to the question bank, which is not in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import Float, case, cast, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from webapp.ankisync.jobs import last_synced
from webapp.models import Enrollment, ItemState, Review, User, as_utc
from webapp.progress.stats import MASTERED_DAYS as MASTERY_DAYS

# FSRS-6 forgetting curve with the default decay (fsrs.scheduler.FSRS_DEFAULT_DECAY):
# R(t) = (1 + FACTOR * t / S) ** -DECAY, so that R(S) = 0.9.
DECAY = 0.1542
FACTOR = 0.9 ** (1 / -DECAY) - 1

# At-risk thresholds, named so the reasons on the page match the rules here.
INACTIVE_DAYS = 7
LOW_RETENTION = 0.70
BACKLOG = 50
LOW_EXAM_RECALL = 0.80


@dataclass
class StudentRow:
    """One row of the class overview."""

    user_id: int
    name: str
    email: str
    last_active: dt.datetime | None = None
    reviews_7d: int = 0
    seen: int = 0
    total: int = 0
    mastered: int = 0
    retention_30d: float | None = None
    retention_reviews: int = 0
    due_now: int = 0
    exam_recall: float | None = None
    unsafe_picks: int = 0  # answers that included an option marked unsafe
    unsafe_items: int = 0  # how many different questions those were
    at_risk: list[str] = field(default_factory=list)
    anki_synced_at: dt.datetime | None = None  # latest upload of Anki answers (webapp.ankisync)

    @property
    def mastery(self) -> float:
        """Share of the class's items this student has mastered."""
        return self.mastered / self.total if self.total else 0.0


def days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """Fractional days from `earlier` to `later` (SQL expression, per dialect)."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0  # type: ignore[return-value]  # numeric, used as float


def _at(value: dt.datetime, dialect: str) -> Any:
    # SQLite stores naive UTC text; PostgreSQL compares aware timestamps.
    if dialect == "sqlite":
        return literal(value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" "))
    return literal(value, type_=ItemState.due.type)


def members(session: Session, class_id: int) -> list[tuple[int, str, str]]:
    """(user id, display name, email) of the class's students, by name."""
    rows = session.execute(
        select(User.id, User.display_name, User.email)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == class_id)
        .order_by(User.display_name, User.id)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def student_rows(
    session: Session,
    class_id: int,
    item_ids: Sequence[str],
    safety_ids: Sequence[str],
    now: dt.datetime,
    exam_date: dt.date | None,
) -> list[StudentRow]:
    """The overview table: one row per student, with at-risk reasons."""
    dialect = session.get_bind().dialect.name
    rows = {uid: StudentRow(uid, name, email, total=len(item_ids)) for uid, name, email in members(session, class_id)}
    if not rows:
        return []
    users = list(rows)
    week_ago, month_ago = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    passed = case((Review.rating > 1, 1), else_=0)
    in_review = Review.state_before == 2
    # Only the last 30 days are counted, so the scan is a month of the class's
    # reviews, not its whole history; "last active" for students quiet for a
    # month comes from a second, small query.
    for uid, last, week, reviewed, ok in session.execute(
        select(
            Review.user_id,
            func.max(Review.reviewed_at),
            func.sum(case((Review.reviewed_at >= week_ago, 1), else_=0)),
            func.sum(case((in_review, 1), else_=0)),
            func.sum(case((in_review, passed), else_=0)),
        )
        .where(Review.user_id.in_(users), Review.reviewed_at >= month_ago)
        .group_by(Review.user_id)
    ):
        row = rows[uid]
        row.last_active = as_utc(last) if last is not None else None
        row.reviews_7d = int(week or 0)
        row.retention_reviews = int(reviewed or 0)
        row.retention_30d = (int(ok or 0) / int(reviewed)) if reviewed else None
    quiet = [uid for uid, row in rows.items() if row.last_active is None]
    if quiet:
        for uid, last in session.execute(
            select(Review.user_id, func.max(Review.reviewed_at)).where(Review.user_id.in_(quiet)).group_by(Review.user_id)
        ):
            rows[uid].last_active = as_utc(last) if last is not None else None
    for uid, seen, mastered, due in session.execute(
        select(
            ItemState.user_id,
            func.count(),
            func.sum(case((ItemState.stability >= MASTERY_DAYS, 1), else_=0)),
            func.sum(case((ItemState.due <= now, 1), else_=0)),
        )
        .where(ItemState.user_id.in_(users), ItemState.item_id.in_(list(item_ids)))
        .group_by(ItemState.user_id)
    ):
        rows[uid].seen, rows[uid].mastered, rows[uid].due_now = int(seen), int(mastered or 0), int(due or 0)
    if exam_date is not None and safety_ids:
        for uid, recall in exam_recall(session, users, safety_ids, exam_date, dialect).items():
            rows[uid].exam_recall = recall
    for uid, picks, items in unsafe_choices(session, users):
        rows[uid].unsafe_picks, rows[uid].unsafe_items = picks, items
    for uid, synced in last_synced(session, users).items():
        rows[uid].anki_synced_at = synced
    for row in rows.values():
        row.at_risk = risk_reasons(row, now)
    return list(rows.values())


def exam_recall(
    session: Session, users: Sequence[int], safety_ids: Sequence[str], exam_date: dt.date, dialect: str
) -> dict[int, float]:
    """Mean predicted recall (FSRS retrievability) of safety-critical items on the exam day.

    Items a student has never studied count as 0: they cannot be recalled.
    """
    exam = dt.datetime.combine(exam_date, dt.time(9, 0), tzinfo=dt.timezone.utc)
    elapsed = days_between(_at(exam, dialect), ItemState.last_review, dialect)
    recall = func.power(1 + FACTOR * elapsed / ItemState.stability, -DECAY)
    rows = session.execute(
        select(ItemState.user_id, func.sum(cast(recall, Float)))
        .where(
            ItemState.user_id.in_(list(users)),
            ItemState.item_id.in_(list(safety_ids)),
            ItemState.stability.is_not(None),
            ItemState.last_review.is_not(None),
        )
        .group_by(ItemState.user_id)
    ).all()
    found = {uid: float(total or 0) / len(safety_ids) for uid, total in rows}
    return {uid: found.get(uid, 0.0) for uid in users}


def risk_reasons(row: StudentRow, now: dt.datetime) -> list[str]:
    """Why a student needs attention, in plain words (empty when on track)."""
    reasons = []
    if row.last_active is None:
        reasons.append("has not studied yet")
    elif now - row.last_active > dt.timedelta(days=INACTIVE_DAYS):
        reasons.append(f"inactive for {(now - row.last_active).days} days")
    if row.retention_30d is not None and row.retention_reviews >= 10 and row.retention_30d < LOW_RETENTION:
        reasons.append(f"retention {row.retention_30d:.0%} (under {LOW_RETENTION:.0%})")
    if row.due_now > BACKLOG:
        reasons.append(f"{row.due_now} reviews overdue")
    if row.exam_recall is not None and row.exam_recall < LOW_EXAM_RECALL:
        reasons.append(f"predicted exam-day recall {row.exam_recall:.0%}")
    return reasons




def group_mastery(session: Session, users: Sequence[int], groups: dict[str, Iterable[str]]) -> dict[str, float]:
    """group -> share of (student, item) pairs mastered across the class (e.g. per body-map site)."""
    item_group = {item: name for name, items in groups.items() for item in items}
    sizes = {name: len(list(items)) for name, items in groups.items()}
    result = {name: 0.0 for name in groups}
    if not users or not item_group:
        return result
    rows = session.execute(
        select(ItemState.item_id, func.count())
        .where(
            ItemState.user_id.in_(list(users)),
            ItemState.item_id.in_(list(item_group)),
            ItemState.stability >= MASTERY_DAYS,
        )
        .group_by(ItemState.item_id)
    ).all()
    for item, count in rows:
        name = item_group[item]
        result[name] += int(count) / (sizes[name] * len(users))
    return result


def unsafe_choices(session: Session, users: Sequence[int]) -> list[tuple[int, int, int]]:
    """(user id, answers with an unsafe option, distinct items) for students who chose one, most first.

    Reads the review's own `unsafe_chosen` flag through the (user_id, item_id)
    index rather than joining every option picked.
    """
    if not users:
        return []
    rows = session.execute(
        select(Review.user_id, func.count(), func.count(func.distinct(Review.item_id)))
        # Literal text, so both databases match the partial index ix_reviews_unsafe.
        .where(Review.user_id.in_(list(users)), text("reviews.unsafe_chosen"))
        .group_by(Review.user_id)
        .order_by(func.count().desc(), Review.user_id)
    ).all()
    return [(int(a), int(b), int(c)) for a, b, c in rows]
