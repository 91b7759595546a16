"""One-time password reset links that an instructor hands a student (no mail server needed).

A link carries a random token; only its SHA-256 is stored, so the database (or a
backup of it) opens no account. A link works once, until it expires, and a new
link for the same student replaces any earlier one, and it works only while
its issuer still teaches the student (a class of theirs enrols them). Using it
is a single conditional UPDATE, so two clicks at the same moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from webapp.accounts.profile.credentials import replace_password
from webapp.platform.errors import WebappError
from webapp.platform.models import Enrollment, PasswordReset, SchoolClass, User

TOKEN_BYTES = 32


class ResetError(WebappError):
    """A reset link cannot be issued or used; the message says why."""


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_reset(session: Session, student: User, issued_by: int, now: dt.datetime, hours: float) -> str:
    """A new reset token for `student`, valid for `hours`; earlier unused links stop working. Commits.

    Raises:
        ResetError: for an instructor account or a deleted one.
    """
    if student.is_instructor or student.deleted_at is not None:
        raise ResetError("Reset links are only for current students.")
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == student.id, PasswordReset.used_at.is_(None)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(PasswordReset(user_id=student.id, issued_by=issued_by, token_hash=token_hash(token), created_at=now,
                              expires_at=now + dt.timedelta(hours=hours)))
    session.commit()
    return token


def _usable(token: str, now: dt.datetime) -> list[object]:
    # The issuer must still teach the student: leaving or removal also deletes the
    # links (`webapp.classes.membership`), and this holds whatever path ended the enrolment.
    teaches = (select(Enrollment.id).join(SchoolClass, SchoolClass.id == Enrollment.class_id)
               .where(Enrollment.user_id == PasswordReset.user_id, SchoolClass.instructor_id == PasswordReset.issued_by)
               .exists())
    return [PasswordReset.token_hash == token_hash(token), PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now, teaches]


def pending_reset(session: Session, token: str, now: dt.datetime) -> User | None:
    """The student an unused, unexpired link is for (None for any other token)."""
    if len(token) > 128:
        return None
    return session.scalar(
        select(User).join(PasswordReset, PasswordReset.user_id == User.id)
        .where(*_usable(token, now), User.deleted_at.is_(None))  # type: ignore[arg-type]
    )


def use_reset(session: Session, token: str, password: str, now: dt.datetime) -> User:
    """Spend the link: set the student's new password and end all their sessions. Commits.

    Raises:
        ResetError: the link is unknown, used, expired, or its account deleted.
    """
    user = pending_reset(session, token, now)
    if user is None:
        session.rollback()
        raise ResetError("This reset link has expired or was already used. Ask your instructor for a new one.")
    spent = session.execute(update(PasswordReset).where(*_usable(token, now)).values(used_at=now))  # type: ignore[arg-type]
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # the other click won
        session.rollback()
        raise ResetError("This reset link has expired or was already used. Ask your instructor for a new one.")
    replace_password(user, password)
    session.commit()
    return user
