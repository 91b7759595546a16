"""Question reports: a learner flags a problem with one item; instructors answer it.

`views` holds the learner's pages (`/report/<item id>`, reachable from the web
answer page and from an Anki card's back, and `/report/mine`) and the
instructor's (`/instructor/classes/<id>/reports`); `service` the rules; `cli`
the authors' list of open reports with each item's source file and line.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("reports", __name__)


def init_app(app: Flask) -> None:
    """Register the reports blueprint."""
    from webapp.reports import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
