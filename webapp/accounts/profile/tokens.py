"""Personal tokens for the course's Anki add-on: made and revoked on /account, checked by the add-on's API.

A token is `secrets.token_urlsafe(32)` with a readable prefix; only its SHA-256
is stored, so it is shown once, when made, and a copy of the database opens
nothing. A token acts for its learner alone (the API reads no user id from a
request), until it is revoked or the account is deleted or anonymised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from webapp.platform.errors import WebappError
from webapp.platform.models import SyncToken, User

PREFIX = "msc_"
# A token's last use is written at most this often: one write per sync, not one per request.
LAST_USED_STEP = dt.timedelta(minutes=1)


class TokenError(WebappError):
    """A token cannot be made; the message says why."""


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def active_tokens(session: Session, user_id: int) -> list[SyncToken]:
    """The learner's tokens that still work, newest first."""
    return list(session.scalars(
        select(SyncToken).where(SyncToken.user_id == user_id, SyncToken.revoked_at.is_(None))
        .order_by(SyncToken.created_at.desc(), SyncToken.id.desc())
    ))


def issue_token(session: Session, user: User, label: str, now: dt.datetime, most: int) -> str:
    """A new token for `user` named `label`; returns the token itself (its only appearance). Commits.

    Raises:
        TokenError: for an instructor account, or when the learner already holds `most` tokens.
    """
    if user.is_instructor:
        raise TokenError("The Anki add-on syncs a learner's own study; instructor accounts have none to sync.")
    held = session.scalar(select(func.count()).select_from(SyncToken)
                          .where(SyncToken.user_id == user.id, SyncToken.revoked_at.is_(None))) or 0
    if held >= most:
        raise TokenError(f"You already have {most} tokens. Revoke one you no longer use, then make a new one.")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(SyncToken(user_id=user.id, label=label.strip()[:60], token_hash=token_hash(token), created_at=now))
    session.commit()
    return token


def revoke_token(session: Session, user_id: int, token_id: int, now: dt.datetime) -> bool:
    """Revoke the learner's token `token_id`; False if it is not theirs or already revoked. Commits."""
    done = session.execute(
        update(SyncToken).where(SyncToken.id == token_id, SyncToken.user_id == user_id, SyncToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    session.commit()
    return bool(done.rowcount)  # type: ignore[attr-defined]


def user_for_token(session: Session, token: str, now: dt.datetime) -> User | None:
    """The learner a presented token acts for, noting its use; None for an unknown, revoked or closed one."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = session.scalar(select(SyncToken).where(SyncToken.token_hash == token_hash(token),
                                                 SyncToken.revoked_at.is_(None)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active or user.is_instructor:
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_STEP:
        row.last_used_at = now
        session.commit()
    return user
