"""Practice exams: drawn by MBLEx content area, optionally timed, graded only at the end.

`service` starts, saves and finishes exams (answers become reviews with source
"exam" through `webapp.records.answers.record_answer`); `page` shapes stored
responses for the forms and the result; `views` is the blueprint; the drawing,
readiness and tallies are pure, in `quizzes.exams`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("exams", __name__, url_prefix="/exams")


def init_app(app: Flask) -> None:
    """Register the exams blueprint."""
    from webapp.exams import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
