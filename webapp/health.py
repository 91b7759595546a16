"""`/healthz`: JSON with the app's status and whether the database answers."""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import get_session

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with {"status": "ok", "database": "ok"}, or 503 when the database is down."""
    try:
        get_session().execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError:
        database = "unreachable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status


def init_app(app: Flask) -> None:
    """Register the health blueprint."""
    app.register_blueprint(bp)
