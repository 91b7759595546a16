"""The instructor's assignment form: study work (modules or lessons, optional recall target) or a practice exam."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from quizzes.exams import LENGTHS
from webapp.accounts.auth.forms import OneLine
from webapp.platform.forms import CheckboxList, Form


class AssignmentForm(Form):
    """Set a class some work with a due date."""

    title = StringField("Title", validators=[DataRequired("Give the assignment a title."), Length(max=120), OneLine()],
                        description="What students see, for example: Neck safety before clinic.")
    kind = RadioField("Kind of work", default="study", validators=[DataRequired("Choose the kind of work.")])
    modules = CheckboxList("Modules", validators=[Optional()])
    lessons = CheckboxList("Or only these lessons (optional)", validators=[Optional()],
                           description="Tick any number. Lessons take the place of modules.")
    due_on = DateField("Due date", validators=[DataRequired("Choose a due date.")])
    recall_target = IntegerField(
        "Recall target on the due date, % (optional)",
        validators=[Optional(), NumberRange(min=50, max=99, message="Use 50 to 99, or leave it empty.")],
        description="Study work only: the mean predicted recall the items must reach on the due date.")
    safety_only = BooleanField("The recall target applies to the safety-critical items only")
    exam_length = RadioField("Exam length", default="20", validators=[Optional()])
    time_limit_min = IntegerField("Exam time limit in minutes (optional)",
                                  validators=[Optional(), NumberRange(min=1, max=240, message="Use 1 to 240 minutes.")])
    min_score = IntegerField("Minimum exam score, % (optional)",
                             validators=[Optional(), NumberRange(min=1, max=100, message="Use 1 to 100.")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Choices are set here: wtforms warns about tuples given to the field's constructor.
        self.kind.choices = [("study", "Study modules or lessons"), ("exam", "Take a practice exam")]
        self.exam_length.choices = [(str(n), f"{n} questions") for n in LENGTHS]
