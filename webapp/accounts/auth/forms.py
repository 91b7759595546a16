"""Forms for accounts (Flask-WTF: CSRF on every POST, limits checked on the server)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from wtforms import EmailField, Field, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from webapp.accounts.auth.passwords import MAX_LENGTH, MIN_LENGTH, PasswordPolicy
from webapp.platform.forms import Form

# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is
# not ours to judge, and the email_validator package is not a dependency.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Bidirectional overrides and isolates: they make a name read differently from what it is.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ONE_LINE_MESSAGE = "Use one line of plain text: no line breaks, tabs or other control characters."


def one_line_problem(text: str) -> str | None:
    """A message when `text` is not one line of plain text (a control, a line separator or a bidi control)."""
    for char in text:
        if char in BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            return ONE_LINE_MESSAGE
    return None


class OneLine:
    """WTForms validator for a name: `one_line_problem` on what was sent (a name ends up in CSV files and lists)."""

    def __call__(self, _form: Any, field: Field) -> None:
        for value in [*(field.raw_data or []), field.data]:
            if isinstance(value, str) and one_line_problem(value):
                raise ValidationError(ONE_LINE_MESSAGE)


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class SignupForm(Form):
    """Create a student account (or an instructor one, with the invite code)."""

    email = EmailField(
        "Email",
        filters=[_email],
        validators=[DataRequired("Enter your email address."), Length(max=254), Regexp(EMAIL, message="Enter an email address like name@example.com.")],
    )
    display_name = StringField(
        "Display name",
        filters=[_strip],
        validators=[DataRequired("Enter the name your instructor will see."), Length(max=80), OneLine()],
        description="Shown to your instructor. Up to 80 characters.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), PasswordPolicy()],
        description=f"At least {MIN_LENGTH} characters; a few unrelated words are easy to remember and hard to guess.",
    )
    # The browser's zone, filled by static/timezone.js, so the first email's times are the learner's own.
    timezone = HiddenField(validators=[Optional(), Length(max=64)], render_kw={"data-browser-zone": ""})
    instructor_invite_code = StringField(
        "Instructor invite code (optional)",
        filters=[_strip],
        validators=[Optional(), Length(max=64)],
        description="Only for instructors: the code your school gave you.",
    )


class LoginForm(Form):
    """Sign in with email and password."""

    email = EmailField("Email", filters=[_email], validators=[DataRequired("Enter your email address."), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=MAX_LENGTH)])


class ForgotForm(Form):
    """Ask for a password reset link by email."""

    email = EmailField(
        "Email",
        filters=[_email],
        validators=[DataRequired("Enter your email address."), Length(max=254),
                    Regexp(EMAIL, message="Enter an email address like name@example.com.")],
    )


class ResumeForm(Form):
    """A button that acts on an emailed link (its CSRF token is the whole form)."""
