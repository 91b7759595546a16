"""Account forms: change password, set a password from a reset link, delete the account, Anki add-on tokens."""

from __future__ import annotations

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from webapp.accounts.auth.forms import EMAIL, SignupForm
from webapp.platform.forms import Form


def new_password_field(label: str = "New password") -> PasswordField:
    """A new-password field under exactly the sign-up form's password rules.

    The rules live in one place, `SignupForm.password` (`auth.passwords.PasswordPolicy`,
    which reads the account's email and name from the form's `account_email` and
    `account_name`, so the forms below are built with them).
    """
    rules = SignupForm.password.kwargs
    return PasswordField(label, validators=list(rules["validators"]), description=rules.get("description", ""))


def _confirm_field() -> PasswordField:
    return PasswordField(
        "Repeat the new password",
        validators=[DataRequired("Type the new password again."),
                    EqualTo("new_password", message="The two new passwords are not the same.")],
    )


class ChangePasswordForm(Form):
    """Change one's own password; the current one proves it is the owner."""

    # The account's email and name, set by the view, for the password policy.
    account_email: str | None = None
    account_name: str | None = None
    current_password = PasswordField("Current password",
                                     validators=[DataRequired("Enter your current password."), Length(max=128)])
    new_password = new_password_field()
    confirm = _confirm_field()


class ResetPasswordForm(Form):
    """Choose a new password from an instructor's one-time link."""

    account_email: str | None = None
    account_name: str | None = None

    new_password = new_password_field()
    confirm = _confirm_field()


class DeleteAccountForm(Form):
    """Delete one's own account; the password confirms it."""

    password = PasswordField("Your password",
                             validators=[DataRequired("Enter your password to confirm."), Length(max=128)])


class NewTokenForm(Form):
    """Make a personal token for the Anki add-on; the label says which device holds it."""

    label = StringField("Name this token", default="Anki on my laptop",
                        validators=[DataRequired("Give the token a name, such as the device it is for."),
                                    Length(max=60, message="Keep the name under 60 characters.")],
                        description="So you know which one to revoke later, e.g. “Anki on my phone”.")


class RevokeTokenForm(Form):
    """Revoke one token (the form carries only the CSRF token; the token's id is in the address)."""
def _lower(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class ChangeEmailForm(Form):
    """Move the account to a new address; the password proves it is the owner, the link that the address is theirs."""

    new_email = EmailField(
        "New email",
        filters=[_lower],
        validators=[DataRequired("Enter the new address."), Length(max=254),
                    Regexp(EMAIL, message="Enter an email address like name@example.com.")],
    )
    password = PasswordField("Your password",
                             validators=[DataRequired("Enter your password to confirm."), Length(max=128)])
