"""Classes from the student's side: join with a code, and the study settings classes set."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("classes", __name__)


def init_app(app: Flask) -> None:
    """Register the classes blueprint with its views."""
    from webapp.classes import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
