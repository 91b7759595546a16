"""Passwords: argon2id hashing, and the one password policy every form and command uses.

The policy follows NIST SP 800-63B and OWASP ASVS 5: a length range, no
composition rules, and a refusal of passwords that attackers try first: the
100,000 most common (bundled: `common-passwords-100k.txt.gz`, SecLists'
top-100,000 list, see SECURITY.md), and ones built from the account's own
email, name or this site's name. `password_problem` says what is wrong, or
None; `PasswordPolicy` is the same rule as a WTForms validator, so the sign-up
and change-password forms share it.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from wtforms import Field
from wtforms.validators import ValidationError

MIN_LENGTH = 10
MAX_LENGTH = 128
# Words an attacker guessing at this site would try first.
SITE_WORDS = ("massage", "safetycourse", "massagecourse")
# Shorter names or email parts match too much by chance to refuse on them.
MIN_CONTEXT = 4
COMMON_LIST = Path(__file__).with_name("common-passwords-100k.txt.gz")



def _hasher() -> PasswordHasher:
    # ARGON2_PARAMETERS (time_cost, memory_cost, parallelism…) defaults to the
    # library's current recommendation; tests set cheap ones, and a change of
    # them is picked up by `needs_rehash` at each user's next log-in.
    params = current_app.config.get("ARGON2_PARAMETERS") if has_app_context() else None
    return _hasher_for(tuple(sorted((params or {}).items())))


@lru_cache(maxsize=8)
def _hasher_for(params: tuple[tuple[str, int], ...]) -> PasswordHasher:
    chosen, default = dict(params), PasswordHasher()
    return PasswordHasher(
        time_cost=chosen.get("time_cost", default.time_cost),
        memory_cost=chosen.get("memory_cost", default.memory_cost),
        parallelism=chosen.get("parallelism", default.parallelism),
        hash_len=chosen.get("hash_len", default.hash_len),
        salt_len=chosen.get("salt_len", default.salt_len),
    )


def hash_password(password: str) -> str:
    """An argon2id hash of `password` with the current parameters."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a bad or foreign hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nothing(password: str) -> None:
    """Spend the time of a verification when the email has no account, so timing does not tell."""
    verify_password(_dummy_hash(_hasher()), password)


@lru_cache(maxsize=8)
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("not-a-real-password")


def needs_rehash(password_hash: str) -> bool:
    """True when `password_hash` was made with other argon2 parameters than today's (rehash at log-in)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The bundled list of the 100,000 most common passwords, lower-cased (read once)."""
    with gzip.open(COMMON_LIST, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def password_problem(password: str, email: str | None = None, display_name: str | None = None) -> str | None:
    """Why `password` may not be used by the account with `email` and `display_name`, or None when it may."""
    if len(password) < MIN_LENGTH or len(password) > MAX_LENGTH:
        return f"Use {MIN_LENGTH} to {MAX_LENGTH} characters."
    lowered = password.lower()
    letters = _letters(password)
    if lowered in common_passwords() or lowered.strip() in common_passwords() or letters in common_passwords():
        return "That password is one of the most common ones. Choose something less guessable, such as a few unrelated words."
    if len(set(lowered)) < 4:
        return "That password repeats too few characters. Try a few unrelated words."
    context = list(SITE_WORDS)
    if email:
        local = email.lower().split("@", 1)[0]
        context += [email.lower(), _letters(local)]
    if display_name:
        context += [_letters(display_name), *(_letters(part) for part in display_name.split())]
    for word in context:
        if len(word) >= MIN_CONTEXT and (word in lowered or word in letters):
            return "Your password may not contain your email, your name or the name of this site."
    return None


class PasswordPolicy:
    """WTForms validator: `password_problem`, with the email and name taken from the same form's fields."""

    def __init__(self, email_field: str = "email", name_field: str = "display_name") -> None:
        self.email_field = email_field
        self.name_field = name_field

    def __call__(self, form: Any, field: Field) -> None:
        email = getattr(form, self.email_field, None)
        name = getattr(form, self.name_field, None)
        problem = password_problem(
            field.data or "",
            email.data if email is not None else _attribute(form, "account_email"),
            name.data if name is not None else _attribute(form, "account_name"),
        )
        if problem:
            raise ValidationError(problem)


def _attribute(form: Any, name: str) -> str | None:
    # A change-password form has no email field: it may carry the account's
    # email and name as plain attributes instead.
    value = getattr(form, name, None)
    return value if isinstance(value, str) else None
