"""Links sent by email: verify an address, reset a password, confirm a new address.

A link carries a random token; only its SHA-256 is stored. It works once, for
its purpose, until it expires; a new link of the same purpose replaces the
earlier ones. Spending it is one conditional UPDATE, so two clicks at the same
moment cannot both succeed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from webapp.platform.models import EmailToken, User

TOKEN_BYTES = 32
PURPOSES = frozenset({"verify", "reset", "change"})


def token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue(session: Session, user: User, purpose: str, email: str, now: dt.datetime, lifetime: dt.timedelta) -> str:
    """A new token for `user` and `purpose`, sent to `email`; earlier unused ones of that purpose stop working.

    Not committed: the caller commits with whatever else it changed.
    """
    if purpose not in PURPOSES:
        raise ValueError(f"unknown email link purpose {purpose!r}")
    session.execute(delete(EmailToken).where(EmailToken.user_id == user.id, EmailToken.purpose == purpose,
                                             EmailToken.used_at.is_(None)))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(EmailToken(user_id=user.id, purpose=purpose, token_hash=token_hash(token), email=email,
                           created_at=now, expires_at=now + lifetime))
    return token


def _usable(token: str, purpose: str, now: dt.datetime) -> list[object]:
    return [EmailToken.token_hash == token_hash(token), EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None), EmailToken.expires_at > now]


def pending(session: Session, token: str, purpose: str, now: dt.datetime) -> tuple[User, EmailToken] | None:
    """The account and link an unused, unexpired token of `purpose` is for (None for any other token)."""
    if not token or len(token) > 128:
        return None
    row = session.execute(
        select(User, EmailToken).join(EmailToken, EmailToken.user_id == User.id)
        .where(*_usable(token, purpose, now), User.deleted_at.is_(None))  # type: ignore[arg-type]
    ).first()
    return None if row is None else (row[0], row[1])


def spend(session: Session, token: str, purpose: str, now: dt.datetime) -> tuple[User, EmailToken] | None:
    """Use the link once: the account and link, or None when it is unknown, used, expired or just spent elsewhere.

    Not committed: the caller commits with the change the link allows, or rolls back.
    """
    found = pending(session, token, purpose, now)
    if found is None:
        return None
    spent = session.execute(update(EmailToken).where(*_usable(token, purpose, now)).values(used_at=now))  # type: ignore[arg-type]
    if spent.rowcount != 1:  # type: ignore[attr-defined]  # the other click won
        session.rollback()
        return None
    return found
