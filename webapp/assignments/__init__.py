"""Assignments: instructors set work with a due date; students see it; the planner puts it first.

`service` holds the completion and priority rules; `views` the instructor's
pages under `/instructor/classes/<id>/assignments` (with the CSV export);
`student` the student's list shown on the home, study and exam pages (the
template global `my_assignments`).
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("assignments", __name__)


def init_app(app: Flask) -> None:
    """Register the assignments blueprint and the student's assignment list for templates."""
    from webapp.assignments import views  # noqa: F401  (adds the routes to bp)
    from webapp.assignments.student import my_assignments

    app.register_blueprint(bp)
    app.jinja_env.globals["my_assignments"] = my_assignments
