"""Forms for accounts (Flask-WTF: CSRF on every POST, limits checked on the server)."""

from __future__ import annotations

import re

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from webapp.accounts.auth.passwords import MAX_LENGTH, MIN_LENGTH, PasswordPolicy
from webapp.platform.forms import Form

# Deliberately loose: one @, a dot in the domain, no spaces. Deliverability is
# not ours to judge, and the email_validator package is not a dependency.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
        validators=[DataRequired("Enter the name your instructor will see."), Length(max=80)],
        description="Shown to your instructor. Up to 80 characters.",
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Choose a password."), PasswordPolicy()],
        description=f"At least {MIN_LENGTH} characters; a few unrelated words are easy to remember and hard to guess.",
    )
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
