"""The reminder, digest and reply messages: composed with their unsubscribe link and headers, then posted.

Every message names the learner's own zone for any time it shows, and is posted
through `webapp.platform.mail.post` (the queue's door).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from webapp.platform.clock import in_zone, zone_label
from webapp.platform.content import item_label
from webapp.platform.mail import absolute_url, compose, post
from webapp.platform.models import QuestionReport, User
from webapp.reminders import service, unsubscribe

REASONS = {"wrong-key": "the marked answer is wrong", "unclear": "unclear", "typo": "a typo",
           "outdated": "outdated", "other": "something else"}


def _local(moment: dt.datetime, user: User) -> str:
    local = in_zone(moment, user.timezone)
    assert local is not None
    return f"{local:%A %d %B, %H:%M} ({zone_label(user.timezone)})"


def _kind(user: User, kind: str, reason: str) -> dict[str, object]:
    return {"unsubscribe": unsubscribe.link(user.id, kind), "unsubscribe_reason": reason}


def send_reminder(user: User, summary: service.DueSummary) -> None:
    """ "12 questions due, 3 safety-critical; about 6 minutes", with a link straight to the first one."""
    hour = f"{user.reminder_hour:02d}:00 ({zone_label(user.timezone)})"
    post(compose("reminder", user.email, summary.sentence().capitalize(), unsubscribe.headers(user.id, "reminders"),
                 user=user, summary=summary, link=absolute_url("study.index"), hour=hour,
                 settings=absolute_url("reminders.settings"),
                 **_kind(user, "reminders", f"You asked for a reminder at {hour} on days with questions due.")))


def send_digest(session: Session, user: User, now: dt.datetime, bank: Bank) -> bool:
    """The instructor's week: per class, who needs help and why, what the class keeps missing, reports waiting.

    Returns False, sending nothing, for an instructor with no open class.
    """
    classes = service.digests_of(session, user, now, bank)
    if not classes:
        return False
    names = {item: item_label(question) for digest in classes for item, _ in digest.missing
             if (question := bank.get(item)) is not None}
    links = {digest.class_id: absolute_url("instructor.overview", class_id=digest.class_id)
             if "instructor.overview" in current_app.view_functions else absolute_url("home.index")
             for digest in classes}
    reports = {digest.class_id: absolute_url("reports.class_reports", class_id=digest.class_id)
               if "reports.class_reports" in current_app.view_functions else absolute_url("home.index")
               for digest in classes}
    post(compose("digest", user.email, "Your classes this week", unsubscribe.headers(user.id, "digest"),
                 user=user, classes=classes, names=names, links=links, reports=reports, when=_local(now, user),
                 **_kind(user, "digest", "You get this digest each week as an instructor.")))
    return True


def send_reply(user: User, report: QuestionReport, bank: Bank) -> None:
    """Tell the learner an instructor answered their report, with the reply."""
    question = bank.get(report.item_id)
    label = item_label(question) if question is not None else report.item_id
    handled = _local(report.handled_at, user) if report.handled_at is not None else ""
    post(compose("reply", user.email, "Your question report was answered", unsubscribe.headers(user.id, "replies"),
                 user=user, report=report, label=label, reason=REASONS.get(report.reason, report.reason),
                 handled=handled, link=absolute_url("reports.mine") if "reports.mine" in current_app.view_functions
                 else absolute_url("home.index"),
                 **_kind(user, "replies", "You get this email when an instructor answers a report you sent.")))


def run(session: Session, now: dt.datetime, bank: Bank) -> service.RunResult:
    """Send every reminder and digest due at `now` (the hourly job; safe to run twice in an hour)."""
    result = service.RunResult()
    seconds = float(current_app.config["REMINDER_SECONDS_PER_QUESTION"])
    for user, summary in service.reminders_due(session, now, bank, seconds):
        send_reminder(user, summary)
        result.reminded.append(user.id)
    weekday, hour = int(current_app.config["DIGEST_WEEKDAY"]), int(current_app.config["DIGEST_HOUR"])
    for user in service.digests_due(session, now, weekday, hour):
        if send_digest(session, user, now, bank):
            result.digests.append(user.id)
    return result
