"""Emails that bring people back: study reminders, the instructors' weekly digest, replies to reports, unsubscribing.

`massage-course reminders` (hourly, by cron or a queue's scheduler) calls
`webapp.reminders.emails.run`, which sends what is due at that hour in each
person's own zone. The report reply email follows `webapp.platform.mail.report_answered`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from webapp.platform.mail import report_answered

bp = Blueprint("reminders", __name__)


def _on_report_answered(report_id: Any, **_: Any) -> None:
    from webapp.reminders.replies import email_reply

    email_reply(int(report_id))


def init_app(app: Flask) -> None:
    """Register the settings and unsubscribe pages, and listen for answered reports."""
    from webapp.reminders import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
    # One receiver per process however many apps are built (blinker keys receivers by identity).
    report_answered.connect(_on_report_answered, weak=False)
