"""Nothing typed is lost: an answer sent after the session or its CSRF token expired is kept and recorded after log-in.

The posted form is stashed in a signed, short-lived, HttpOnly cookie; after
log-in `/study/resume` replays it through the normal recording path. The form's
signed presentation token (see `tokens`) names the learner and the question, so a
stashed form is only ever recorded for the learner it was shown to, and it stands
in for the expired CSRF token: another site cannot forge one.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

COOKIE = "study_stash"
SALT = "study-stash"
MAX_AGE = 60 * 60  # seconds: long enough to find a password, short enough to be this sitting
MAX_BYTES = 3500  # a cookie holds about 4 KB; a longer answer is not stashed
SKIP = frozenset({"csrf_token"})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def stashable() -> bool:
    """Whether this request is a study answer worth keeping (it carries a presentation token)."""
    return request.method == "POST" and request.endpoint == "study.answer" and bool(request.form.get("presentation"))


def stash(response: Response) -> bool:
    """Keep the posted answer in a cookie on `response`; False when it is too large to keep."""
    fields = {key: request.form.getlist(key) for key in request.form if key not in SKIP}
    value = _serializer().dumps(fields)
    if len(value) > MAX_BYTES:
        return False
    response.set_cookie(
        COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), path="/study",
    )
    return True


def unstash() -> MultiDict[str, str] | None:
    """The stashed form, or None when there is none or it is forged or too old."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        fields = _serializer().loads(value, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(fields, dict):
        return None
    return MultiDict([(str(key), str(item)) for key, items in fields.items() if isinstance(items, list) for item in items])


def forget(response: Response) -> None:
    """Drop the stash cookie (after it was recorded, or found unusable)."""
    response.delete_cookie(COOKIE, path="/study")
