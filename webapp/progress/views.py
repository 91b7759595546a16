"""`/progress`: mastery per module, true retention, activity, forecast, streak, weak items."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from webapp.platform.content import item_label
from webapp.platform.models import utcnow
from webapp.progress import bp
from webapp.records.summary import progress_context


@bp.get("/progress")
@login_required
def index() -> ResponseReturnValue:
    """The signed-in learner's progress."""
    return render_template("progress/index.html", item_label=item_label, **progress_context(current_user.id, utcnow(), current_user.timezone))
