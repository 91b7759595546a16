"""Creating accounts outside the sign-up form (the CLI and the demo data)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.accounts.auth.passwords import hash_password, password_problem
from webapp.platform.errors import WebappError
from webapp.platform.models import User


class AccountError(WebappError, ValueError):
    """An account could not be created; the message says why."""


def create_user(session: Session, *, email: str, display_name: str, password: str, role: str = "student",
                is_demo: bool = False) -> User:
    """Add a user (not committed). Raises AccountError for a taken email or bad input."""
    email = email.strip().lower()
    display_name = display_name.strip()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"'{email}' is not an email address")
    if not display_name or len(display_name) > 80:
        raise AccountError("the name must be 1 to 80 characters")
    problem = password_problem(password, email, display_name)
    if problem:
        raise AccountError(problem)
    if role not in {"student", "instructor"}:
        raise AccountError(f"unknown role '{role}'")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise AccountError(f"an account with the email {email} already exists")
    user = User(email=email, display_name=display_name, role=role, password_hash=hash_password(password),
                is_demo=is_demo)
    session.add(user)
    return user
