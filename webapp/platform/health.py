"""`/healthz` for the load balancer (the app and its database), `/ping` as the bare ceiling.

`/ping` touches no database and no session: benchmarks report every other
route's throughput as a share of it, measured side by side in one run.
"""

from __future__ import annotations

from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.platform.db import get_session

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


@bp.get("/ping")
def ping() -> ResponseReturnValue:
    """A bare "pong": the cheapest response the app and server can give."""
    return "pong", 200, {"Content-Type": "text/plain; charset=utf-8"}


def init_app(app: Flask) -> None:
    """Register the health blueprint."""
    app.register_blueprint(bp)
