"""Who gets which email this hour: study reminders at each learner's own hour, the instructors' weekly digest.

`reminders_due` and `digests_due` pick the recipients (the clock is passed in):
the people whose chosen local hour contains `now`. Each one's local day is
marked with a conditional UPDATE before sending, so a second run in the same
hour (a retry, two schedulers, the repeated hour when clocks go back) sends
nothing twice; a learner with nothing due gets nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from quizzes.bank import Bank
from webapp.platform.clock import zone_of
from webapp.platform.models import Enrollment, ItemState, QuestionReport, SchoolClass, User, as_utc
from webapp.records.stats import weakest_items


@dataclass(frozen=True)
class DueSummary:
    """A learner's questions due now: how many, how many safety-critical, about how many minutes."""

    due: int
    safety: int
    minutes: int

    def sentence(self) -> str:
        """ "12 questions due, 3 safety-critical; about 6 minutes"."""
        questions = "1 question" if self.due == 1 else f"{self.due} questions"
        safety = f", {self.safety} safety-critical" if self.safety else ""
        minutes = "1 minute" if self.minutes == 1 else f"{self.minutes} minutes"
        return f"{questions} due{safety}; about {minutes}"


def due_summary(session: Session, user_id: int, now: dt.datetime, bank: Bank, seconds_each: float) -> DueSummary:
    """The learner's live items due at `now` (retired items are not asked again, so not counted)."""
    ids = [item for item in session.scalars(
        select(ItemState.item_id).where(ItemState.user_id == user_id, ItemState.due <= now)) if item in bank.ids]
    safety = sum(1 for item in ids if (question := bank.get(item)) is not None and question.safety_critical)
    minutes = max(1, math.ceil(len(ids) * seconds_each / 60)) if ids else 0
    return DueSummary(len(ids), safety, minutes)


def hour_window(now: dt.datetime, zone: str | None, hour: int) -> tuple[dt.date, dt.datetime]:
    """The local day of `now` in `zone` and the UTC instant `hour` o'clock starts on it.

    On the day clocks go forward past that hour, it starts at the first instant after the gap;
    on the day they go back, at its first occurrence.
    """
    local = now.astimezone(zone_of(zone))
    start = dt.datetime.combine(local.date(), dt.time(hour), tzinfo=zone_of(zone)).astimezone(dt.timezone.utc)
    return local.date(), start


def in_hour(now: dt.datetime, zone: str | None, hour: int) -> dt.date | None:
    """The local day when `now` falls in the hour starting at `hour` o'clock there, else None."""
    day, start = hour_window(now, zone, hour)
    return day if start <= now < start + dt.timedelta(hours=1) else None


def _claim(session: Session, column: InstrumentedAttribute[dt.date | None], user_id: int, day: dt.date) -> bool:
    # Marks the day first, in one statement: of two runs at once, only one sends.
    claimed = session.execute(
        update(User).where(User.id == user_id, or_(column.is_(None), column != day)).values({column: day})
    )
    session.commit()
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


@dataclass
class RunResult:
    """What one run sent: the ids of the learners reminded and of the instructors sent a digest."""

    reminded: list[int] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)


def reminders_due(session: Session, now: dt.datetime, bank: Bank, seconds_each: float) -> list[tuple[User, DueSummary]]:
    """Learners to remind at `now`: opted in with a confirmed address, in their hour, not reminded today, something due.

    Each returned learner's day is already claimed (see `_claim`).
    """
    # Only confirmed addresses: whoever signs up with someone else's email cannot have them reminded daily.
    chosen = session.scalars(
        select(User).where(User.reminder_hour.is_not(None), User.email_verified_at.is_not(None),
                           User.deleted_at.is_(None)).order_by(User.id)).all()
    found = []
    for user in chosen:
        assert user.reminder_hour is not None
        day = in_hour(now, user.timezone, user.reminder_hour)
        if day is None or user.reminder_sent_on == day:
            continue
        summary = due_summary(session, user.id, now, bank, seconds_each)
        if summary.due == 0:
            continue  # nothing due: no email, and the day stays open should questions fall due within the hour
        if _claim(session, User.reminder_sent_on, user.id, day):
            found.append((user, summary))
    return found


def digests_due(session: Session, now: dt.datetime, weekday: int, hour: int) -> list[User]:
    """Instructors whose digest hour on the digest weekday contains `now` (claimed, like reminders)."""
    instructors = session.scalars(
        select(User).where(User.role == "instructor", User.digest_emails.is_(True), User.deleted_at.is_(None))
        .order_by(User.id)).all()
    found = []
    for user in instructors:
        day = in_hour(now, user.timezone, hour)
        if day is None or day.weekday() != weekday or user.digest_sent_on == day:
            continue
        if _claim(session, User.digest_sent_on, user.id, day):
            found.append(user)
    return found


@dataclass(frozen=True)
class StudentNote:
    """A student who needs help, and why (one or more plain reasons)."""

    name: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ClassDigest:
    """One class's week for its instructor."""

    class_id: int
    name: str
    students: int
    needs_help: tuple[StudentNote, ...]
    missing: tuple[tuple[str, int], ...]  # (item id, learners who lapsed on it)
    reports_waiting: int


IDLE_DAYS = 7
OVERDUE = 30


def class_digest(session: Session, school_class: SchoolClass, now: dt.datetime, bank: Bank) -> ClassDigest:
    """Who in the class needs help and why, the items the class keeps missing, the reports waiting."""
    members = session.execute(
        select(User.id, User.display_name).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == school_class.id, User.deleted_at.is_(None)).order_by(User.display_name)
    ).all()
    ids = [row[0] for row in members]
    last = dict(session.execute(
        select(ItemState.user_id, func.max(ItemState.last_review)).where(ItemState.user_id.in_(ids))
        .group_by(ItemState.user_id)).all()) if ids else {}
    overdue = dict(session.execute(
        select(ItemState.user_id, func.count()).where(ItemState.user_id.in_(ids), ItemState.due <= now)
        .group_by(ItemState.user_id)).all()) if ids else {}
    unsafe = dict(session.execute(
        select(ItemState.user_id, func.count()).where(ItemState.user_id.in_(ids), ItemState.last_unsafe.is_(True))
        .group_by(ItemState.user_id)).all()) if ids else {}
    notes = []
    for user_id, name in members:
        reasons = []
        seen = last.get(user_id)
        if seen is None:
            reasons.append("has not answered a question yet")
        else:
            idle = (now - as_utc(seen)).days
            if idle >= IDLE_DAYS:
                reasons.append(f"has not studied for {idle} days")
        if overdue.get(user_id, 0) >= OVERDUE:
            reasons.append(f"{overdue[user_id]} questions overdue")
        if unsafe.get(user_id, 0):
            count = unsafe[user_id]
            reasons.append(f"{count} safety {'answer' if count == 1 else 'answers'} still unsafe")
        if reasons:
            notes.append(StudentNote(name, tuple(reasons)))
    missing = tuple((item.item_id, item.lapses) for item in weakest_items(session, ids, now, 5, bank=bank)
                    if item.lapses > 0) if ids else ()
    waiting = session.scalar(
        select(func.count()).select_from(QuestionReport)
        .join(Enrollment, Enrollment.user_id == QuestionReport.user_id)
        .where(Enrollment.class_id == school_class.id, QuestionReport.status == "open")) or 0
    return ClassDigest(school_class.id, school_class.name, len(ids), tuple(notes), missing, int(waiting))


def digests_of(session: Session, instructor: User, now: dt.datetime, bank: Bank) -> list[ClassDigest]:
    """The digest of each class the instructor runs, by name."""
    classes = session.scalars(
        select(SchoolClass).where(SchoolClass.instructor_id == instructor.id, SchoolClass.archived.is_(False)).order_by(SchoolClass.name)).all()
    return [class_digest(session, school_class, now, bank) for school_class in classes]
