"""Report forms: the learner's report, and the instructor's resolution with a reply."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from webapp.platform.forms import Form

REASONS: dict[str, str] = {
    "wrong-key": "The marked answer is wrong",
    "unclear": "The wording is unclear",
    "typo": "There is a typo",
    "outdated": "It is out of date",
    "other": "Something else",
}
MAX_COMMENT = 500


class ReportForm(Form):
    """What is wrong with a question, in a few words."""

    reason = RadioField("What is the problem?", validators=[DataRequired("Choose what the problem is.")])
    comment = TextAreaField("Tell us more (optional)", validators=[Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT} characters.")],
                            description="For example, which answer you think is right and why.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are set here: wtforms warns about tuples given to the field's constructor.
        self.reason.choices = list(REASONS.items())


class ResolveForm(Form):
    """Mark a report resolved or dismissed, with a reply the reporter sees."""

    status = RadioField("Outcome", validators=[DataRequired("Choose resolved or dismissed.")])
    reply = TextAreaField("Reply to the learner", validators=[
        DataRequired("Write a short reply."), Length(max=MAX_COMMENT, message=f"Keep it under {MAX_COMMENT} characters.")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [("resolved", "Resolved (the question was fixed or will be)"),
                               ("dismissed", "Dismissed (the question is right as it is)")]
