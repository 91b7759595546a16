"""A learner's progress: mastery, true retention, activity, forecast, streak, weak items."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("progress", __name__)


def init_app(app: Flask) -> None:
    """Register the progress blueprint with its views."""
    from webapp.progress import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
