"""Studying: the next question, recording an answer once, the answer page and its ratings.

`views` is the blueprint; `plan` holds the scope rules and reads the learner's
state for the planner; `ending` says why a session stops; `stash` keeps an answer
sent after the session expired; `practice` is extra practice that records nothing.
An answer becomes review rows in `webapp.records.answers`; a question is shown
and read back by `webapp.questions`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("study", __name__, url_prefix="/study")


def init_app(app: Flask) -> None:
    """Register the study blueprint and the time-span filter its pages use."""
    from webapp.questions.page import timespan
    from webapp.study import practice, views  # noqa: F401  (add the routes to bp)

    app.register_blueprint(bp)
    app.jinja_env.filters["timespan"] = timespan
