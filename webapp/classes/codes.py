"""Join codes: short, random, unambiguous when read aloud; unique by asking the database."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.platform.models import SchoolClass

# No 0/O or 1/I: codes are read aloud and copied from a whiteboard.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A fresh random join code (uniqueness is the database's job: retry on conflict)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def unused_join_code(session: Session) -> str:
    """A fresh join code that no other class uses."""
    while True:
        code = new_join_code()
        if session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code
