"""Extra practice past the daily new-question limit (Anki's "preview"): graded, never recorded.

Offered when the class's daily limit stops new questions. Questions the learner
has not met come in bank order; each answer is graded and explained like a real
one, but no review is written and no schedule changes, so the limit keeps its
meaning and instructors' figures count only real study.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from webapp.classes.settings import study_settings
from webapp.platform.content import get_bank, get_course
from webapp.platform.db import get_session
from webapp.platform.models import utcnow
from webapp.questions import tokens as presentations
from webapp.questions.page import answer_context, question_context
from webapp.questions.responses import parse_response
from webapp.records.stats import load_cards
from webapp.study import bp
from webapp.study.plan import Scope, items_in_scope, parse_scope, plan


def _context(scope: Scope) -> dict[str, object]:
    user_id = current_user.id
    config = current_app.config
    settings = study_settings(get_session(), user_id, config["DEFAULT_RETENTION"], config["DEFAULT_NEW_LIMIT"])
    result = plan(get_session(), user_id, get_bank(), settings, scope, utcnow())
    get_session().commit()
    return dict(scope=scope, query=scope.query(), scope_title=scope.title(get_course()), counts=result.counts,
                settings=settings, practice=True)


def next_practice(scope: Scope, after: str | None) -> Question | None:
    """The next question for extra practice: unseen ones in bank order after `after`, else any in scope."""
    config = current_app.config
    settings = study_settings(get_session(), current_user.id, config["DEFAULT_RETENTION"], config["DEFAULT_NEW_LIMIT"])
    bank = get_bank()
    in_scope = items_in_scope(bank, settings, scope)
    seen = load_cards(get_session(), current_user.id, bank)
    ids = [q.id for q in bank if q.id in in_scope and q.id not in seen] or [q.id for q in bank if q.id in in_scope]
    if not ids:
        return None
    start = ids.index(after) + 1 if after in ids else 0
    return bank.get(ids[start % len(ids)])


@bp.get("/practice")
@login_required
def practice() -> ResponseReturnValue:
    """One extra-practice question (nothing about it is stored)."""
    scope, _ = parse_scope(get_course(), request.args)
    question = next_practice(scope, request.args.get("after"))
    if question is None:
        flash("There is nothing to practise here yet.", "info")
        return redirect(url_for("study.index", **scope.query()))
    token = presentations.issue(current_app.config["SECRET_KEY"], current_user.id, question.id, utcnow())
    return render_template("study/question.html", token=token, values=MultiDict(), action=url_for("study.practice_answer"),
                           **question_context(question), **_context(scope))


@bp.post("/practice")
@login_required
def practice_answer() -> ResponseReturnValue:
    """Grade an extra-practice answer and explain it, recording nothing."""
    scope, _ = parse_scope(get_course(), request.form)
    token = request.form.get("presentation", "")
    try:
        shown = presentations.verify(current_app.config["SECRET_KEY"], token, current_user.id)
    except presentations.PresentationError:
        return redirect(url_for("study.practice", **scope.query()))
    question = get_bank().get(shown.item_id)
    if question is None:
        return redirect(url_for("study.practice", **scope.query()))
    parsed = parse_response(question, request.form)
    if parsed.error:
        return render_template("study/question.html", token=token, values=request.form, error=parsed.error,
                               action=url_for("study.practice_answer"), **question_context(question), **_context(scope)), 400
    return render_template("study/answer.html", can_rate=False, can_undo=False,
                           next_query={**scope.query(), "after": question.id}, next_endpoint="study.practice",
                           **answer_context(question, parsed.response), **_context(scope))
