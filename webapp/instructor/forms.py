"""Instructor forms: a class's settings."""

from __future__ import annotations

from decimal import Decimal

from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.accounts.auth.forms import OneLine
from webapp.platform.forms import CheckboxList, Form


class ClassForm(Form):
    """Create or edit a class."""

    name = StringField("Class name", validators=[DataRequired("Give the class a name."), Length(max=120), OneLine()],
                       description="For example: Spring 2027 cohort, evening group.")
    desired_retention = DecimalField(
        "Desired retention (%)", places=0, default=Decimal(90),
        validators=[DataRequired("Enter a retention between 70 and 97."), NumberRange(min=70, max=97, message="Use a value between 70 and 97.")],
        description="How likely students should be to remember an item when it comes back. "
                    "Safety-critical items are always scheduled for at least 95 %.",
    )
    daily_new_limit = IntegerField(
        "New questions per day", default=20,
        validators=[DataRequired("Enter a number between 1 and 200."), NumberRange(min=1, max=200, message="Use a number between 1 and 200.")],
    )
    exam_date = DateField("Exam or clinic date (optional)", validators=[Optional()],
                          description="Used to predict who will remember the safety-critical items on the day.")
    modules = CheckboxList("Modules included", validators=[DataRequired("Include at least one module.")])
    anki_counts = BooleanField(
        "Answers from Anki count toward assignments", default=True,
        description="Answers students import from Anki are self-reported: the app did not see them given. "
                    "They always count in a student's own schedule; untick to complete assignments only with "
                    "answers given in the app.",
    )
    timezone = SelectField(
        "Time zone", default="UTC", validate_choice=True,
        description="Days and times on the class's pages, and the exam at 09:00, are in this zone. "
                    "A new class starts with your browser's zone.",
    )
