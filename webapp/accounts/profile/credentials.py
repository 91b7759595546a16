"""Replacing a password: the new hash, and every session of the account ended with it."""

from __future__ import annotations

from webapp.accounts.auth.passwords import hash_password
from webapp.accounts.auth.sessions import end_all_sessions
from webapp.platform.models import User


def replace_password(user: User, password: str) -> None:
    """Give `user` a new password and end all their sessions (the caller commits).

    Bumping the session version ends sessions even where the cookie's password
    fingerprint would not change (a reset to the same password).
    """
    user.password_hash = hash_password(password)
    end_all_sessions(user)
