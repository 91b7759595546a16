"""Question reports: a learner flags a problem with one item; instructors answer it.

`views` holds the learner's pages (`/report/<item id>`, reachable from the web
answer page and from an Anki card's back, and `/report/mine`) and the
instructor's (`/instructor/classes/<id>/reports`); `service` the rules; `cli`
the authors' list of open reports with each item's source file and line.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("reports", __name__)


def new_replies() -> int:
    """For the nav: how many replies to the signed-in student's reports they have not read (0 for anyone else)."""
    from webapp.platform.db import get_session
    from webapp.reports.service import new_reply_count

    if not getattr(current_user, "is_authenticated", False) or getattr(current_user, "is_instructor", False):
        return 0
    session = get_session()
    try:
        return new_reply_count(session, current_user.id)
    except SQLAlchemyError:
        # The nav must not turn a page (an error page included) into a second error.
        session.rollback()
        return 0


def init_app(app: Flask) -> None:
    """Register the reports blueprint and the nav's count of new replies."""
    from webapp.reports import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
    app.jinja_env.globals["new_replies"] = new_replies
