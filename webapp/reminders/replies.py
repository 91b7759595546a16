"""The email a learner gets when an instructor answers their question report (on `report_answered`)."""

from __future__ import annotations

from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.models import QuestionReport
from webapp.reminders.emails import send_reply


def email_reply(report_id: int) -> None:
    """Email the reporter of `report_id` its reply, unless they unsubscribed or the report is still open."""
    report = get_session().get(QuestionReport, report_id)
    if report is None or report.status == "open":
        return
    user = report.reporter
    if user.deleted_at is not None or not user.reply_emails:
        return
    send_reply(user, report, get_bank())
