"""Studying: the next question, recording an answer once, the answer page and its ratings.

`views` is the blueprint; `service` is the one place an answer becomes review
rows and a new item state; `plan` holds the scope rules and reads the learner's
state for the planner; `tokens` signs each shown question; `responses` turns a
submitted form into a gradable response; `page` shapes questions and answers for
the templates; `ending` says why a session stops; `stash` keeps an answer sent
after the session expired; `practice` is extra practice that records nothing.
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
