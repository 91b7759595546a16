"""The form that starts a practice exam: length, modules and an optional time limit."""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField, RadioField
from wtforms.validators import DataRequired, NumberRange, Optional

from quizzes.exams import LENGTHS
from webapp.platform.forms import CheckboxList, Form

# The MBLEx gives 110 minutes for 100 questions: about 66 seconds a question.
SECONDS_PER_QUESTION = 66


class ExamForm(Form):
    """Start a practice exam of your own."""

    length = RadioField("Number of questions", default="20", validators=[DataRequired("Choose how many questions.")])
    modules = CheckboxList("Modules", validators=[DataRequired("Include at least one module.")])
    time_limit_min = IntegerField(
        "Time limit in minutes (optional)", validators=[Optional(), NumberRange(min=1, max=240, message="Use 1 to 240 minutes, or leave it empty.")],
        description="Leave empty for no limit. The real exam allows about 1 minute per question.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are set here: wtforms warns about tuples given to the field's constructor.
        self.length.choices = [(str(n), f"{n} questions") for n in LENGTHS]
