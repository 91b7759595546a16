"""The email settings form: a reminder hour (or none), the digest and the report replies."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, SelectField

from webapp.platform.forms import Form

OFF = "off"
HOURS = [(OFF, "No reminders")] + [(str(hour), f"{hour:02d}:00") for hour in range(24)]


class EmailSettingsForm(Form):
    """Which emails the course sends me."""

    reminder_hour = SelectField(
        "Study reminder", default=OFF,
        description="At most one a day at this hour in your time zone, and only on days with questions due.",
    )
    replies = BooleanField("Email me when an instructor answers a question report I sent")
    digest = BooleanField("Send me the weekly digest of my classes")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set here: wtforms warns about tuples given to the field's constructor.
        self.reminder_hour.choices = HOURS


class UnsubscribeForm(Form):
    """The unsubscribe page's one button (mail clients' one-click POST carries no CSRF token; the link is signed)."""
