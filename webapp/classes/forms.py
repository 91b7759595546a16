"""The join-a-class form (Flask-WTF: CSRF on every POST, limits checked on the server)."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from webapp.platform.forms import Form


class JoinForm(Form):
    """Join a class with the code the instructor gave out."""

    join_code = StringField(
        "Join code",
        filters=[lambda v: v.strip().upper().replace(" ", "") if isinstance(v, str) else v],
        validators=[DataRequired("Enter the join code from your instructor."), Length(max=16, message="A join code has at most 16 characters.")],
        description="The short code your instructor gave the class, for example K7P4QD.",
    )

    def validate_join_code(self, field: StringField) -> None:
        """Codes are letters and digits, so anything else is a typo worth naming."""
        if field.data and not field.data.replace("-", "").isalnum():
            raise ValidationError("A join code has only letters and digits.")


class LeaveForm(Form):
    """Confirm leaving a class (a form, so the POST carries a CSRF token)."""
