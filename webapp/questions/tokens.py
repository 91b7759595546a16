"""Presentation tokens: each shown question carries a signed, single-use identity.

The token names the learner, the item, a random presentation id and when the
question was shown. It is signed (not stored), so showing a question writes
nothing; replay is caught when the review is stored, because the presentation
id is unique in `reviews`. The time shown gives the response time server-side.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from webapp.platform.errors import WebappError

SALT = "study-presentation"


class PresentationError(WebappError):
    """The token is forged, mangled, or issued to someone else."""


@dataclass(frozen=True)
class Presentation:
    """One showing of one question to one learner."""

    user_id: int
    item_id: str
    presentation_id: str
    shown_at: dt.datetime


def issue(secret_key: str, user_id: int, item_id: str, now: dt.datetime) -> str:
    """A signed token for showing `item_id` to `user_id` at `now`."""
    payload = {"u": user_id, "i": item_id, "p": secrets.token_urlsafe(18), "t": int(now.timestamp() * 1000)}
    return URLSafeSerializer(secret_key, salt=SALT).dumps(payload)


def verify(secret_key: str, token: str, user_id: int) -> Presentation:
    """The presentation inside `token`, checked to belong to `user_id`.

    Raises:
        PresentationError: when the token is not one we issued to this learner.
    """
    if not token or len(token) > 512:
        raise PresentationError("missing or over-long token")
    try:
        payload = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature as error:
        raise PresentationError("bad signature") from error
    if not isinstance(payload, dict) or payload.get("u") != user_id:
        raise PresentationError("issued to another learner")
    try:
        shown_at = dt.datetime.fromtimestamp(int(payload["t"]) / 1000, tz=dt.timezone.utc)
        return Presentation(user_id, str(payload["i"]), str(payload["p"]), shown_at)
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        raise PresentationError("malformed token") from error
