"""Classes, shared by every feature: joining, the settings a class sets, who may see it, its roster and assignments.

`views` is `/join` and leaving a class; `settings` the study settings a class
sets (and the rule that a class with no modules studies every module); `access`
who may see an instructor page; `roster` and `membership` who is in a class and
what removal, undo and leaving do; `assignments` which items an assignment covers
and who has met it; `codes` join codes.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("classes", __name__)


def init_app(app: Flask) -> None:
    """Register the classes blueprint with its views."""
    from webapp.classes import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
