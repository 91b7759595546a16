"""Account forms: change password, set a password from a reset link, delete the account."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.auth.forms import SignupForm


def new_password_field(label: str = "New password") -> PasswordField:
    """A new-password field under exactly the sign-up form's password rules.

    The rules live in one place, `SignupForm.password`; when that policy moves
    to a shared validator list or field factory, only this body changes.
    """
    rules = SignupForm.password.kwargs
    return PasswordField(label, validators=list(rules["validators"]), description=rules.get("description", ""))


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Type the new password again."),
                    EqualTo("new_password", message="The two new passwords are not the same.")],
    )


class ChangePasswordForm(FlaskForm):
    """Change one's own password; the current one proves it is the owner."""

    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password."), Length(max=128)])
    new_password = new_password_field()
    confirm = _confirm_field()


class ResetPasswordForm(FlaskForm):
    """Choose a new password from an instructor's one-time link."""

    new_password = new_password_field()
    confirm = _confirm_field()


class DeleteAccountForm(FlaskForm):
    """Delete one's own account; the password confirms it."""

    password = PasswordField("Your password",
                             validators=[DataRequired("Enter your password to confirm."), Length(max=128)])
