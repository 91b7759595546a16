"""The instructor dashboard: classes, class overview, item analysis, one student, CSV exports.

Every route is for instructors only (`access.instructor_required`) and reaches a
class only through `access.own_class_or_404`, so another instructor's class id
is a 404 and a student never gets past the door.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


def init_app(app: Flask) -> None:
    """Register the instructor blueprint with all its views, and the figures' snapshot cache."""
    from webapp.instructor import (  # noqa: F401  (they add routes to bp)
        classes,
        dashboard,
        exports,
        item_views,
        resets,
        snapshot,
        unsafe_views,
    )

    snapshot.init_app(app)
    app.register_blueprint(bp)
