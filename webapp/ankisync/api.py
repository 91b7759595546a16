"""The Anki add-on's JSON API, `/api/v1/anki/...`: bearer-token auth, one learner per token, versioned.

- `GET status`: who the token acts for, the course's release and what this learner's Anki answers add up to.
- `GET notes?since=<unix seconds>`: every current note's GUID and content digest (`current`), and the whole
  notes changed after `since` (all of them for 0); `release` is the value to send as `since` next time.
- `POST notes` `{"guids": [...]}`: the whole notes named (the add-on asks for those whose digest differs
  from its copy, whatever the times said).
- `POST reviews` `{"reviews": [...]}`: answers from the learner's collection, imported through the upload's path
  (`webapp.ankisync.pushes`); the reply counts what was added, known, held back, ignored and refused.

The routes read no user id from a request: the token names the learner, so no request can reach
another learner's data. They are exempt from CSRF because a browser never sends the token by itself
(it is in an `Authorization` header, not a cookie); they are rate-limited per token, not per address,
so a classroom behind one address does not share one allowance. Errors are JSON `{"error": ...}`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Blueprint, Flask, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from quizzes.anki_identity import guid_map
from webapp.accounts.profile.tokens import user_for_token
from webapp.ankisync.history import Retention
from webapp.ankisync.jobs import active_job, added_today, bounds
from webapp.ankisync.pushes import PushError, import_push, parse_reviews, push_summary
from webapp.classes.settings import study_settings
from webapp.platform.content import get_bank
from webapp.platform.db import get_session, rollback_session
from webapp.platform.errors import MESSAGES
from webapp.platform.extensions import csrf, limiter
from webapp.platform.models import Review, User, utcnow

API_VERSION = 1
api_bp = Blueprint("ankisync_api", __name__, url_prefix=f"/api/v{API_VERSION}/anki")
MAX_GUIDS = 500
# A push of the configured most reviews, as JSON, with room to spare.
PUSH_BYTES = 2 * 1024 * 1024

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def _error(status: int, message: str) -> ResponseReturnValue:
    rollback_session()
    response = jsonify(error=message)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="massage-course"'
    return response, status


def _presented() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _token_key() -> str:
    """Rate-limit key: the token's fingerprint (never the token), or the address when none is presented."""
    token = _presented()
    if not token:
        return f"anki-api-ip:{get_remote_address()}"
    return "anki-api:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _limit() -> str:
    return str(current_app.config["ANKI_API_LIMIT"])


def token_required(view: View) -> View:
    """Run `view` for the learner the bearer token names (in `g.sync_user`); 401 JSON otherwise."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> ResponseReturnValue:
        token = _presented()
        user = user_for_token(get_session(), token, utcnow()) if token else None
        if user is None:
            return _error(401, "This token is not valid: it was revoked or mistyped. Make a new one on your "
                               "account page and paste it into the add-on's settings.")
        g.sync_user = user
        return view(*args, **kwargs)
    return cast(View, wrapped)


def _learner() -> User:
    user: User = g.sync_user
    return user


def _feed() -> list[dict[str, Any]] | None:
    """The course's notes from the injected feed, made once per app (the bank does not change while it runs)."""
    cached = current_app.extensions.get("anki_note_feed")
    if cached is None:
        feed = current_app.config.get("ANKI_NOTE_FEED")
        if not callable(feed):
            return None
        cached = current_app.extensions["anki_note_feed"] = list(feed(get_bank()))
    return cast(list[dict[str, Any]], cached)


def _no_feed() -> ResponseReturnValue:
    return _error(503, "This server does not offer the course's notes to the add-on.")


@api_bp.get("/status")
@limiter.limit(_limit, key_func=_token_key)
@token_required
def status() -> ResponseReturnValue:
    """Who the token acts for and what of theirs the server holds from Anki."""
    user, feed = _learner(), _feed()
    count = get_session().scalar(
        select(func.count()).select_from(Review).where(Review.user_id == user.id, Review.source == "anki"))
    return jsonify(api=API_VERSION, learner=user.display_name, course=get_bank().course.id,
                   notes=len(feed) if feed is not None else None,
                   release=max((note["mod"] for note in feed), default=0) if feed is not None else None,
                   anki_reviews=int(count or 0))


@api_bp.get("/notes")
@limiter.limit(_limit, key_func=_token_key)
@token_required
def changes() -> ResponseReturnValue:
    """Every current note's digest, and the whole notes changed after `since`."""
    feed = _feed()
    if feed is None:
        return _no_feed()
    raw = request.args.get("since", "0")
    if not raw.isdigit() or len(raw) > 12:
        return _error(400, "'since' must be a time in whole seconds since 1970 (0 for everything).")
    since = int(raw)
    return jsonify(release=max((note["mod"] for note in feed), default=0),
                   current={note["guid"]: note["digest"] for note in feed},
                   notes=[note for note in feed if note["mod"] > since])


@api_bp.post("/notes")
@csrf.exempt
@limiter.limit(_limit, key_func=_token_key)
@token_required
def notes() -> ResponseReturnValue:
    """The whole notes the add-on names by GUID (unknown GUIDs are left out)."""
    feed = _feed()
    if feed is None:
        return _no_feed()
    body = request.get_json(silent=True)
    guids = body.get("guids") if isinstance(body, dict) else None
    if not isinstance(guids, list) or not all(isinstance(guid, str) for guid in guids) or len(guids) > MAX_GUIDS:
        return _error(400, f"Send {{\"guids\": [...]}}, at most {MAX_GUIDS} note GUIDs.")
    wanted = set(guids)
    return jsonify(notes=[note for note in feed if note["guid"] in wanted])


@api_bp.post("/reviews")
@csrf.exempt
@limiter.limit(_limit, key_func=_token_key)
@token_required
def reviews() -> ResponseReturnValue:
    """Import the learner's answers from Anki as an upload would; say what was added, refused and held back."""
    request.max_content_length = PUSH_BYTES
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "Send a JSON object: {\"reviews\": [...]}.")
    config, user_id, bank, now = current_app.config, _learner().id, get_bank(), utcnow()
    try:
        parsed = parse_reviews(body.get("reviews"), guid_map(question.id for question in bank), now,
                               float(config["ANKI_CLOCK_SKEW_SECONDS"]), int(config["ANKI_API_MAX_REVIEWS"]))
    except PushError as error:
        return _error(400, str(error))
    session = get_session()
    if active_job(session, user_id, now) is not None:
        return _error(409, "An import of yours is still running. Sync again when it has finished.")
    settings = study_settings(session, user_id, config["DEFAULT_RETENTION"], config["DEFAULT_NEW_LIMIT"])
    allowance = int(config["ANKI_MAX_ANSWERS_PER_DAY"]) - added_today(session, user_id, now)
    # The push writes in its own short transactions (SQLite: one writer), so the request's ends here.
    session.rollback()
    result = import_push(current_app.extensions["db_sessionmaker"], user_id, parsed, bank,
                         Retention(settings.desired_retention, config["SAFETY_RETENTION"]), allowance,
                         int(config["ANKI_IMPORT_BATCH_ROWS"]), now, bounds(current_app))
    return jsonify(push_summary(result))


@api_bp.errorhandler(HTTPException)
def _http(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code == 429:
        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current is not None else 60
        return _error(429, f"Too many requests with this token (at most {_limit()}). Sync again in "
                           f"{wait} second{'s' if wait != 1 else ''}.")
    return _error(code, MESSAGES.get(code, error.description or "Error"))


def init_app(app: Flask) -> None:
    """Register the API's blueprint."""
    app.register_blueprint(api_bp)
