"""Deleting a learner's account, as the school's `ACCOUNT_DELETION` setting says.

- "delete": the account and everything of it go: answers, options chosen,
  activity rollups, item states, class memberships, reset links, Anki add-on tokens. The class's figures are then
  those of the remaining students, as if the learner had never joined.
- "anonymise": the person goes, the record stays. Name, email and password are
  replaced, log-in becomes impossible, every session ends; the answers and
  states stay under the nameless account, still in its classes, so every class
  figure (item analysis, retention, activity) is unchanged.
Only students delete their own account here: an instructor's account owns
classes, which are the school's to close.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from webapp.accounts.auth.sessions import end_all_sessions
from webapp.platform.errors import WebappError
from webapp.platform.models import (
    EmailToken,
    Enrollment,
    ItemState,
    PasswordReset,
    Review,
    ReviewActivity,
    ReviewChoice,
    SyncToken,
    User,
)

MODES = ("delete", "anonymise")
ANONYMOUS_NAME = "Former student"
# Not an argon2 hash, so no password ever verifies against it.
NO_PASSWORD = "!account-deleted"


class DeletionError(WebappError):
    """The account cannot be deleted here; the message says why."""


def deletion_mode(value: object) -> str:
    """The configured mode, checked (a typo must not silently keep or lose data).

    Raises:
        DeletionError: for anything but "delete" or "anonymise".
    """
    mode = str(value).strip().lower()
    if mode == "anonymize":
        mode = "anonymise"
    if mode not in MODES:
        raise DeletionError(f"ACCOUNT_DELETION must be 'delete' or 'anonymise', not {value!r}")
    return mode


def delete_account(session: Session, user: User, mode: str, now: dt.datetime) -> None:
    """Delete (or anonymise) `user` and their records; commits.

    Raises:
        DeletionError: for an instructor account or an unknown mode.
    """
    mode = deletion_mode(mode)
    if user.is_instructor:
        raise DeletionError("Instructor accounts own classes; ask your school to close this account.")
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    # An anonymised account keeps its row, so its Anki add-on tokens must go explicitly.
    session.execute(delete(SyncToken).where(SyncToken.user_id == user.id))
    session.execute(delete(EmailToken).where(EmailToken.user_id == user.id))
    if mode == "anonymise":
        user.email = f"deleted-{user.id}@deleted.invalid"
        user.email_verified_at, user.reminder_hour = None, None
        user.digest_emails = user.reply_emails = False
        user.display_name = ANONYMOUS_NAME
        user.password_hash = NO_PASSWORD
        user.deleted_at = now
        end_all_sessions(user)
        session.commit()
        return
    # Children first, so this holds without relying on the database's cascades.
    reviews = select(Review.id).where(Review.user_id == user.id).scalar_subquery()
    session.execute(delete(ReviewChoice).where(ReviewChoice.review_id.in_(reviews)))
    session.execute(delete(Review).where(Review.user_id == user.id))
    session.execute(delete(ReviewActivity).where(ReviewActivity.user_id == user.id))
    session.execute(delete(ItemState).where(ItemState.user_id == user.id))
    session.execute(delete(Enrollment).where(Enrollment.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))
    session.commit()
