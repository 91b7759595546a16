"""Question reports: one per learner and item; instructors of the reporter's classes answer them.

Comments are stored as typed and only ever shown escaped (Jinja autoescape,
`white-space: pre-wrap` for line breaks) or written to plain-text files. A
report is written to the instructors of the classes its learner is in when it
is made (`ReportClass`): what a learner wrote before joining was not written to
that instructor, and what they wrote stays in the instructor's list after they
leave. A reply is new to the learner until they open their reports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.models import Course
from quizzes.bank import Bank
from quizzes.questions import Question
from webapp.platform.errors import WebappError
from webapp.platform.models import Enrollment, QuestionReport, ReportClass, Review, SchoolClass, User

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
        session.flush()
        classes = session.scalars(select(Enrollment.class_id).where(Enrollment.user_id == user_id)).all()
        session.add_all(ReportClass(report_id=report.id, class_id=class_id) for class_id in classes)
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
    """Reports written to the class (its students' since joining, kept after they leave), grouped by item
    (most reported first); `status` None: all."""
    query = (select(QuestionReport)
             .join(ReportClass, ReportClass.report_id == QuestionReport.id)
             .where(ReportClass.class_id == class_id)
             .order_by(QuestionReport.created_at))
    if status is not None:
        query = query.where(QuestionReport.status == status)
    grouped: dict[str, list[QuestionReport]] = defaultdict(list)
    for report in session.scalars(query):
        grouped[report.item_id].append(report)
    return dict(sorted(grouped.items(), key=lambda pair: (-len(pair[1]), pair[0])))


def report_for_instructor(session: Session, instructor_id: int, class_id: int, report_id: int) -> QuestionReport | None:
    """The report, if it was written to this instructor's class."""
    return session.scalar(
        select(QuestionReport)
        .join(ReportClass, ReportClass.report_id == QuestionReport.id)
        .join(SchoolClass, SchoolClass.id == ReportClass.class_id)
        .where(QuestionReport.id == report_id, SchoolClass.id == class_id, SchoolClass.instructor_id == instructor_id)
    )


def picks_before(session: Session, reports: list[QuestionReport]) -> dict[int, Review]:
    """Each report's reporter's last recorded answer to the item before reporting (absent: none recorded)."""
    found: dict[int, Review] = {}
    for report in reports:
        review = session.scalar(
            select(Review).where(Review.user_id == report.user_id, Review.item_id == report.item_id,
                                 Review.reviewed_at <= report.created_at)
            .order_by(Review.reviewed_at.desc(), Review.id.desc()).limit(1))
        if review is not None:
            found[report.id] = review
    return found


def _unseen_reply(user_id: int) -> list[ColumnElement[bool]]:
    return [QuestionReport.user_id == user_id, QuestionReport.status != "open", QuestionReport.handled_at.is_not(None),
            or_(QuestionReport.reply_seen_at.is_(None), QuestionReport.reply_seen_at < QuestionReport.handled_at)]


def new_reply_count(session: Session, user_id: int) -> int:
    """How many of the learner's reports were answered since they last opened their reports."""
    return int(session.scalar(select(func.count()).select_from(QuestionReport).where(*_unseen_reply(user_id))) or 0)


def unseen_reply_ids(session: Session, user_id: int) -> set[int]:
    """The ids of the learner's reports with a reply they have not seen."""
    return set(session.scalars(select(QuestionReport.id).where(*_unseen_reply(user_id))))


def mark_replies_seen(session: Session, user_id: int, now: dt.datetime) -> None:
    """The learner has seen every reply so far; commits."""
    session.execute(update(QuestionReport).where(*_unseen_reply(user_id)).values(reply_seen_at=now)
                    .execution_options(synchronize_session=False))
    session.commit()


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


@dataclass(frozen=True)
class ContentFile:
    """The file and line an item's content lives at, from the course root, and its link for authors."""

    path: str
    line: str
    url: str | None


def content_file(course: Course, question: Question | None, item_id: str, url_pattern: str) -> ContentFile | None:
    """Where authors edit an item: its path from `course/content/` (no server paths shown), and the link
    `url_pattern` makes of it ("" : no link); None when the item has left the course."""
    found = course.locations.get(item_id)
    if found is None and question is not None:
        found = next((course.locations[site] for site in question.sites if site in course.locations), None)
    if found is None:
        return None
    path, _, line = found.rpartition(":")
    if not line.isdigit():
        path, line = found, ""
    marker = "course/content/"
    path = path.replace("\\", "/")
    path = path[path.index(marker):] if marker in path else path.rsplit("/", 1)[-1]
    url = url_pattern.format(path=path, line=line or "1") if url_pattern else None
    return ContentFile(path, line, url)


def open_items(session: Session, bank: Bank) -> list[OpenItem]:
    """Every item with open reports, by item id, with where its content lives."""
    grouped: dict[str, list[QuestionReport]] = defaultdict(list)
    for report in session.scalars(select(QuestionReport).where(QuestionReport.status == "open").order_by(QuestionReport.id)):
        grouped[report.item_id].append(report)
    return [OpenItem(item, source_location(bank.course, bank.get(item), item), grouped[item]) for item in sorted(grouped)]


def one_line(text: str) -> str:
    """`text` on one line (a comment's line breaks would break a line-per-item listing)."""
    return " ".join(text.split())
