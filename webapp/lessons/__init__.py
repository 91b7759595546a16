"""The course to read: `/lessons` and each lesson, rendered from Markdown with its sources."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("lessons", __name__, url_prefix="/lessons")


def init_app(app: Flask) -> None:
    """Register the lessons blueprint with its views."""
    from webapp.lessons import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
