"""Question reports: one per learner and item; instructors of the reporter's classes answer them.

Comments are stored as typed and only ever shown escaped (Jinja autoescape,
`white-space: pre-wrap` for line breaks) or written to plain-text files. An
instructor sees a student's reports made since the student joined their class:
what a learner wrote before joining was not written to that instructor.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.models import Course
from quizzes.bank import Bank
from quizzes.questions import Question
from webapp.platform.errors import WebappError
from webapp.platform.models import Enrollment, QuestionReport, SchoolClass, User

STATUSES = ("open", "resolved", "dismissed")


class ReportError(WebappError):
    """A report cannot be stored or handled (the message is for the user)."""


def report_of(session: Session, user_id: int, item_id: str) -> QuestionReport | None:
    """The learner's report of this item, if any."""
    return session.scalar(select(QuestionReport).where(QuestionReport.user_id == user_id, QuestionReport.item_id == item_id))


def create_report(session: Session, user_id: int, item_id: str, reason: str, comment: str, now: dt.datetime) -> QuestionReport:
    """Store a report; commits.

    Raises:
        ReportError: the learner has already reported this item.
    """
    if report_of(session, user_id, item_id) is not None:
        session.rollback()
        raise ReportError("You have already reported this question.")
    report = QuestionReport(user_id=user_id, item_id=item_id, reason=reason, comment=comment.strip(),
                            created_at=now, status="open")
    session.add(report)
    try:
        session.commit()
    except IntegrityError as error:  # a double submit that raced past the check
        session.rollback()
        raise ReportError("You have already reported this question.") from error
    return report


def reports_of(session: Session, user_id: int) -> list[QuestionReport]:
    """The learner's own reports, newest first."""
    return list(session.scalars(
        select(QuestionReport).where(QuestionReport.user_id == user_id).order_by(QuestionReport.created_at.desc())))


def class_reports(session: Session, class_id: int, status: str | None = "open") -> dict[str, list[QuestionReport]]:
    """Reports the class's students made since joining it, grouped by item (most reported first); `status` None: all."""
    query = (select(QuestionReport)
             .join(Enrollment, Enrollment.user_id == QuestionReport.user_id)
             .where(Enrollment.class_id == class_id, QuestionReport.created_at >= Enrollment.joined_at)
             .order_by(QuestionReport.created_at))
    if status is not None:
        query = query.where(QuestionReport.status == status)
    grouped: dict[str, list[QuestionReport]] = defaultdict(list)
    for report in session.scalars(query):
        grouped[report.item_id].append(report)
    return dict(sorted(grouped.items(), key=lambda pair: (-len(pair[1]), pair[0])))


def report_for_instructor(session: Session, instructor_id: int, class_id: int, report_id: int) -> QuestionReport | None:
    """The report, if its reporter is a student of this instructor's class and made it since joining."""
    return session.scalar(
        select(QuestionReport)
        .join(Enrollment, Enrollment.user_id == QuestionReport.user_id)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)
        .where(QuestionReport.id == report_id, SchoolClass.id == class_id, SchoolClass.instructor_id == instructor_id,
               QuestionReport.created_at >= Enrollment.joined_at)
    )


def handle(session: Session, report: QuestionReport, status: str, reply: str, instructor: User, now: dt.datetime) -> None:
    """Mark a report resolved or dismissed with a reply; commits.

    Raises:
        ReportError: for any other status.
    """
    if status not in ("resolved", "dismissed"):
        raise ReportError("Choose resolved or dismissed.")
    report.status, report.reply = status, reply.strip()
    report.handled_by, report.handled_at = instructor.id, now
    session.commit()


@dataclass(frozen=True)
class OpenItem:
    """An item with open reports, for the authors' list."""

    item_id: str
    location: str
    reports: list[QuestionReport]


def source_location(course: Course, question: Question | None, item_id: str) -> str:
    """"path:line" of the content behind an item: its own entry, or for a generated one its first site's."""
    found = course.locations.get(item_id)
    if found is None and question is not None:
        found = next((course.locations[site] for site in question.sites if site in course.locations), None)
    return found or "(not in the course any more)"


def open_items(session: Session, bank: Bank) -> list[OpenItem]:
    """Every item with open reports, by item id, with where its content lives."""
    grouped: dict[str, list[QuestionReport]] = defaultdict(list)
    for report in session.scalars(select(QuestionReport).where(QuestionReport.status == "open").order_by(QuestionReport.id)):
        grouped[report.item_id].append(report)
    return [OpenItem(item, source_location(bank.course, bank.get(item), item), grouped[item]) for item in sorted(grouped)]


def one_line(text: str) -> str:
    """`text` on one line (a comment's line breaks would break a line-per-item listing)."""
    return " ".join(text.split())
