"""POST /account/timezone: the signed-in user's browser reports its zone (static/timezone.js)."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from webapp.platform.clock import valid_zone
from webapp.platform.db import get_session
from webapp.platform.models import User

bp = Blueprint("zones", __name__)


def init_app(app: Flask) -> None:
    """Register the zone endpoint."""
    app.register_blueprint(bp)


@bp.post("/account/timezone")
@login_required
def set_timezone() -> ResponseReturnValue:
    """Store the zone the browser reports (CSRF-checked like every POST); 400 for a name we do not know."""
    name = (request.form.get("timezone") or "").strip()
    if not valid_zone(name):
        return {"ok": False, "error": "unknown time zone"}, 400
    if current_user.timezone != name:
        session = get_session()
        user = session.get(User, current_user.id)
        if user is not None:
            user.timezone = name
            session.commit()
    return {"ok": True, "timezone": name}
