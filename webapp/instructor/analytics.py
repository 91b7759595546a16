"""The class overview's per-student figures, computed in SQL, and the pace judgement on them.

Per-learner figures that the student's own progress page also shows (mastery
by module, reviews per day, retention) come from `webapp.records.stats`; this
module adds what only a class view needs. Whether a student is on track is
decided in `pace` (one place for the rules); the exam-day forecast's curve
comes from `quizzes.scheduling.forgetting_curve` (one place for the curve).

Every figure is a GROUP BY over the class's own rows (reviews are reached
through the (user_id, reviewed_at) and (user_id, item_id) indexes), so a class of
40 stays fast in a database holding millions of other classes' reviews. The
activity figures (reviews in 7 days, study days, retention) sum the activity
rollups (`webapp.records.activity`), so they cost a few rows per study session rather
than every review of the month. Python only joins the grouped rows to the
question bank, which is not in the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlalchemy import Float, case, cast, func, literal, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from quizzes.scheduling import forgetting_curve
from webapp.classes.roster import enrolments
from webapp.instructor import pace
from webapp.instructor.unsafe import still_unsafe_items
from webapp.platform.clock import zone_of
from webapp.platform.models import ItemState, Review, SchoolClass, as_utc
from webapp.records import activity
from webapp.records.stats import MASTERED_DAYS as MASTERY_DAYS
from webapp.records.stats import day_of
from webapp.records.syncs import last_synced

EXAM_HOUR = 9  # the exam is taken as 09:00 in the class's zone


@dataclass
class StudentRow:
    """One row of the class overview."""

    user_id: int
    name: str
    email: str
    joined_at: dt.datetime
    started: dt.datetime  # the later of joining and the class's creation
    last_active: dt.datetime | None = None
    reviews_7d: int = 0
    study_days: list[dt.date] = field(default_factory=list)  # days with study, last 30 days
    seen: int = 0  # items met
    total: int = 0
    expected: int = 0  # items the pace needs met by now
    mastered: int = 0
    retention_30d: float | None = None
    retention_reviews: int = 0
    due_now: int = 0
    exam_recall: float | None = None  # mean predicted recall on exam day of the items met
    safety_seen: int = 0
    safety_total: int = 0
    safety_recall: float | None = None  # the same, safety-critical items met
    unsafe_picks: int = 0  # answers that included an option marked unsafe
    unsafe_items: int = 0  # how many different questions those were
    still_unsafe: int = 0  # items whose latest answer still picked an unsafe option
    status: str = pace.STATUS_ON_TRACK
    flags: list[pace.Flag] = field(default_factory=list)
    anki_synced_at: dt.datetime | None = None  # latest upload of Anki answers (webapp.ankisync)
    new_recent: int = 0  # class items first met in the last `pace.RECENT_DAYS` days
    projection: pace.Projection | None = None  # exam day at the recent pace (None without an exam ahead)

    @property
    def coverage(self) -> float:
        """Share of the class's items this student has met."""
        return self.seen / self.total if self.total else 0.0

    @property
    def mastery(self) -> float:
        """Share of the class's items this student has mastered."""
        return self.mastered / self.total if self.total else 0.0


def days_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[Any]:
    """Fractional days from `earlier` to `later` (SQL expression, per dialect)."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _at(value: dt.datetime, dialect: str) -> Any:
    # SQLite stores naive UTC text; PostgreSQL compares aware timestamps.
    if dialect == "sqlite":
        return literal(value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" "))
    return literal(value, type_=ItemState.due.type)


def exam_moment(school_class: SchoolClass) -> dt.datetime | None:
    """The exam as an aware UTC time: 09:00 on the exam date in the class's zone (None without a date)."""
    if school_class.exam_date is None:
        return None
    local = dt.datetime.combine(school_class.exam_date, dt.time(EXAM_HOUR), tzinfo=zone_of(school_class.timezone))
    return local.astimezone(dt.timezone.utc)


def student_rows(
    session: Session,
    school_class: SchoolClass,
    item_ids: Sequence[str],
    safety_ids: Sequence[str],
    now: dt.datetime,
) -> list[StudentRow]:
    """The overview table: one row per student, with status and flags (see `pace`)."""
    created = _aware(school_class.created_at) or now
    rows = {
        uid: StudentRow(uid, name, email, joined, max(joined, created), total=len(item_ids), safety_total=len(safety_ids))
        for uid, name, email, joined in enrolments(session, school_class.id)
    }
    if not rows:
        return []
    users = list(rows)
    _activity(session, rows, now)
    _states(session, rows, item_ids, now)
    exam = exam_moment(school_class)
    if exam is not None:
        _exam_recall(session, rows, item_ids, safety_ids, exam)
    for uid, picks, items in unsafe_choices(session, users):
        rows[uid].unsafe_picks, rows[uid].unsafe_items = picks, items
    for uid, unsafe_items in still_unsafe_items(session, users).items():
        rows[uid].still_unsafe = len(unsafe_items)
    for uid, synced in last_synced(session, users).items():
        rows[uid].anki_synced_at = synced
    for uid, new in new_items_since(session, users, item_ids, now - dt.timedelta(days=pace.RECENT_DAYS)).items():
        rows[uid].new_recent = new
    rhythm = pace.usual_gap(row.study_days for row in rows.values())
    for row in rows.values():
        per_day = pace.class_pace(row.total, school_class.daily_new_limit, row.started.date(), school_class.exam_date)
        row.expected = pace.expected_met(per_day, row.total, row.started, now)
        row.projection = pace.project(met=row.seen, total=row.total, new_recent=row.new_recent, started=row.started,
                                      now=now, exam=exam, new_limit=school_class.daily_new_limit)
        row.status, row.flags = pace.judge(
            started=row.started, now=now, met=row.seen, expected=row.expected, last_active=row.last_active,
            rhythm=rhythm, retention=row.retention_30d, retention_reviews=row.retention_reviews,
            projection=row.projection,
        )
    return list(rows.values())


def new_items_since(session: Session, users: Sequence[int], item_ids: Sequence[str],
                    since: dt.datetime) -> dict[int, int]:
    """Student -> class items first answered (attempt 1) at or after `since`: the recent pace's count."""
    if not users or not item_ids:
        return {}
    return {int(uid): int(n) for uid, n in session.execute(
        select(Review.user_id, func.count(func.distinct(Review.item_id)))
        .where(Review.user_id.in_(list(users)), Review.attempt == 1, Review.reviewed_at >= since,
               Review.item_id.in_(list(item_ids)))
        .group_by(Review.user_id)
    )}


def class_rhythm(rows: Sequence[StudentRow]) -> float:
    """The class's usual gap between study days (the same figure the flags used)."""
    return pace.usual_gap(row.study_days for row in rows)


def _activity(session: Session, rows: dict[int, StudentRow], now: dt.datetime) -> None:
    """Last active, reviews in 7 days, study days and retention over the last 30 days."""
    users = list(rows)
    week_ago, month_ago = now - dt.timedelta(days=7), now - dt.timedelta(days=30)
    # Summed from the activity rollups (a few rows per study session, not every review);
    # the week's start is a cut, so `at >= week_ago` is exact too. Grouped by UTC day:
    # a gap between study days is the same length in any zone.
    month = activity.window(users, month_ago, cuts=[week_ago])
    day = day_of(session, month.c.at)
    retained: dict[int, tuple[int, int]] = {}
    for uid, when, week, reviewed, ok in session.execute(
        select(
            month.c.user_id,
            day,
            func.sum(case((month.c.at >= week_ago, month.c.reviews), else_=0)),
            func.sum(month.c.in_review),
            func.sum(month.c.passed),
        ).group_by(month.c.user_id, day)
    ):
        row = rows[uid]
        row.study_days.append(when if isinstance(when, dt.date) else dt.date.fromisoformat(str(when)[:10]))
        row.reviews_7d += int(week or 0)
        total, good = retained.get(uid, (0, 0))
        retained[uid] = (total + int(reviewed or 0), good + int(ok or 0))
    for uid, (total, good) in retained.items():
        rows[uid].retention_reviews = total
        rows[uid].retention_30d = good / total if total else None
    for uid, last in activity.last_reviewed(session, users).items():
        rows[uid].last_active = last


def _states(session: Session, rows: dict[int, StudentRow], item_ids: Sequence[str], now: dt.datetime) -> None:
    """Items met, mastered and due now, per student (the class's items only)."""
    for uid, seen, mastered, due in session.execute(
        select(
            ItemState.user_id,
            func.count(),
            func.sum(case((ItemState.stability >= MASTERY_DAYS, 1), else_=0)),
            func.sum(case((ItemState.due <= now, 1), else_=0)),
        )
        .where(ItemState.user_id.in_(list(rows)), ItemState.item_id.in_(list(item_ids)))
        .group_by(ItemState.user_id)
    ):
        rows[uid].seen, rows[uid].mastered, rows[uid].due_now = int(seen), int(mastered or 0), int(due or 0)


def recall_at(session: Session, exam: dt.datetime) -> ColumnElement[Any]:
    """SQL: an item state's predicted recall at `exam`, on the scheduler's forgetting curve."""
    dialect = session.get_bind().dialect.name
    decay, factor = forgetting_curve()
    elapsed = days_between(_at(exam, dialect), ItemState.last_review, dialect)
    return cast(func.power(1 + factor * elapsed / ItemState.stability, -decay), Float)


def _exam_recall(session: Session, rows: dict[int, StudentRow], item_ids: Sequence[str],
                 safety_ids: Sequence[str], exam: dt.datetime) -> None:
    """Mean predicted exam-day recall of the items each student has met (all, and safety-critical)."""
    recall = recall_at(session, exam)
    safety = ItemState.item_id.in_(list(safety_ids)) if safety_ids else literal(False)
    for uid, met, total, safety_met, safety_total in session.execute(
        select(
            ItemState.user_id,
            func.count(),
            func.sum(recall),
            func.sum(case((safety, 1), else_=0)),
            func.sum(case((safety, recall), else_=0.0)),
        )
        .where(
            ItemState.user_id.in_(list(rows)),
            ItemState.item_id.in_(list(item_ids)),
            ItemState.stability.is_not(None),
            ItemState.last_review.is_not(None),
        )
        .group_by(ItemState.user_id)
    ):
        row = rows[uid]
        row.exam_recall = float(total or 0) / int(met) if met else None
        row.safety_seen = int(safety_met or 0)
        row.safety_recall = float(safety_total or 0) / int(safety_met) if safety_met else None


def _aware(value: Any) -> dt.datetime | None:
    return None if value is None else as_utc(value)


def unsafe_choices(session: Session, users: Sequence[int]) -> list[tuple[int, int, int]]:
    """(user id, answers with an unsafe option, distinct items) for students who chose one, most first.

    Sums the `unsafe_picks` rollup of the students' item states (`webapp.records.rollups`), so no review is read.
    """
    if not users:
        return []
    picks = func.sum(ItemState.unsafe_picks)
    rows = session.execute(
        select(ItemState.user_id, picks, func.count())
        # Literal text, so both databases match the partial index ix_item_states_unsafe.
        .where(ItemState.user_id.in_(list(users)), text("item_states.unsafe_picks > 0"))
        .group_by(ItemState.user_id)
        .order_by(picks.desc(), ItemState.user_id)
    ).all()
    return [(int(a), int(b), int(c)) for a, b, c in rows]
