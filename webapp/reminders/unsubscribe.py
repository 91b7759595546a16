"""One-click unsubscribe per kind of email: a signed token in each message and its RFC 8058 headers.

The token names the account and the kind and never expires (an old message's
link must still work); it is signed with the app's secret, so no one can
unsubscribe someone else. Security messages (account links) have none.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from webapp.platform.mail import absolute_url
from webapp.platform.models import User

KINDS = {
    "reminders": "study reminders",
    "digest": "the weekly class digest",
    "replies": "emails when a report you sent is answered",
}


@dataclass(frozen=True)
class Unsubscribe:
    """Who wants which kind of email no more."""

    user_id: int
    kind: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key or "", salt="unsubscribe")


def token_for(user_id: int, kind: str) -> str:
    """The signed token of `user_id`'s unsubscribe from `kind`."""
    if kind not in KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    return str(_serializer().dumps({"u": user_id, "k": kind}))


def read_token(token: str) -> Unsubscribe | None:
    """The unsubscribe a token names, or None for a forged, damaged or unknown one."""
    if not token or len(token) > 200:
        return None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or data.get("k") not in KINDS:
        return None
    return Unsubscribe(int(data["u"]), str(data["k"]))


def link(user_id: int, kind: str) -> str:
    """The unsubscribe page's address for `user_id` and `kind`."""
    return absolute_url("reminders.unsubscribe_page", token=token_for(user_id, kind))


def headers(user_id: int, kind: str) -> dict[str, str]:
    """RFC 8058 headers: a mail client's own unsubscribe button POSTs to the link, no page or log-in needed."""
    return {"List-Unsubscribe": f"<{link(user_id, kind)}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def apply(session: Session, choice: Unsubscribe) -> User | None:
    """Switch the kind off for the account (commits); None when the account is gone."""
    user = session.get(User, choice.user_id)
    if user is None or user.deleted_at is not None:
        return None
    if choice.kind == "reminders":
        user.reminder_hour = None
    elif choice.kind == "digest":
        user.digest_emails = False
    else:
        user.reply_emails = False
    session.commit()
    return user
