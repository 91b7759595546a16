"""`/study` views: one question at a time, graded at once, scheduled by FSRS.

GET /study shows the next question (planned by `quizzes.planner`) with a signed
presentation token; POST /study/answer records it through `webapp.study.service` and
redirects to the answer page (so a reload never re-posts); the answer page
offers the four Anki ratings to override the automatic one.
"""

from __future__ import annotations

from typing import Mapping

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from quizzes.scheduling import retention_for, review
from webapp.classes.settings import StudySettings, study_settings
from webapp.content import get_bank, get_course
from webapp.db import get_session
from webapp.models import ItemState, Review, User, utcnow
from webapp.study import bp
from webapp.study import tokens as presentations
from webapp.study.page import answer_context, question_context
from webapp.study.plan import Scope, items_in_scope, next_due, parse_scope, plan
from webapp.study.responses import parse_response
from webapp.study.service import ReviewError, override_rating, record_answer

RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _scope(args: Mapping[str, str]) -> tuple[Scope, str | None]:
    return parse_scope(get_course(), args)


def _user() -> User:
    user: User = current_user
    return user


def _settings() -> StudySettings:
    config = current_app.config
    return study_settings(get_session(), _user().id, config["DEFAULT_RETENTION"], config["DEFAULT_NEW_LIMIT"])


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """The next question, or "done for today" with when the next one is due."""
    scope, problem = _scope(request.args)
    now = utcnow()
    settings = _settings()
    bank = get_bank()
    result, cards = plan(get_session(), _user().id, bank, settings, scope, now)
    get_session().commit()  # end the read transaction before rendering
    context = dict(scope=scope, scope_title=scope.title(get_course()), counts=result.counts, settings=settings, problem=problem)
    if result.next is None:
        in_scope = set(items_in_scope(bank, settings, scope))
        return render_template("study/done.html", next_due=next_due(cards, in_scope), now=now, **context), 404 if problem else 200
    token = presentations.issue(current_app.config["SECRET_KEY"], _user().id, result.next.id, now)
    return render_template("study/question.html", token=token, values=MultiDict(), **question_context(result.next), **context), 404 if problem else 200


def _rerender(question: Question, token: str, scope: Scope, error: str) -> ResponseReturnValue:
    result, _ = plan(get_session(), _user().id, get_bank(), _settings(), scope, utcnow())
    get_session().commit()
    return render_template(
        "study/question.html", token=token, error=error, values=request.form, scope=scope,
        scope_title=scope.title(get_course()), counts=result.counts, **question_context(question),
    ), 400


@bp.post("/answer")
@login_required
def answer() -> ResponseReturnValue:
    """Record one answer once, then show it (POST-redirect-GET)."""
    scope, _ = _scope(request.form)
    token = request.form.get("presentation", "")
    try:
        shown = presentations.verify(current_app.config["SECRET_KEY"], token, _user().id)
    except presentations.PresentationError:
        return _problem("This question form was not recognised, so nothing was recorded. Here is a fresh question.", scope)
    question = get_bank().get(shown.item_id)
    if question is None:
        return _problem("That question is no longer part of the course, so nothing was recorded. Here is another one.", scope)
    parsed = parse_response(question, request.form)
    if parsed.error:
        return _rerender(question, token, scope, parsed.error)
    now = utcnow()
    settings = _settings()
    try:
        recorded = record_answer(
            get_session(), _user(), question, parsed.response,
            int((now - shown.shown_at).total_seconds() * 1000), shown.presentation_id, now,
            settings.desired_retention, current_app.config["SAFETY_RETENTION"],
        )
    except ReviewError as error:
        return _rerender(question, token, scope, str(error))
    if recorded.duplicate:
        flash("That answer was already recorded; it counts once.", "info")
    return redirect(url_for("study.show_answer", review_id=recorded.review.id, **scope.query()))


def _problem(message: str, scope: Scope) -> ResponseReturnValue:
    flash(message, "warning")
    return redirect(url_for("study.index", **scope.query()))


def _own_review(review_id: int) -> Review:
    row = get_session().scalar(select(Review).where(Review.id == review_id, Review.user_id == _user().id))
    if row is None:
        abort(404)
    return row


@bp.get("/answers/<int:review_id>")
@login_required
def show_answer(review_id: int) -> ResponseReturnValue:
    """Whether the answer was right, why, the sources, and the four rating buttons."""
    row = _own_review(review_id)
    scope, _ = _scope(request.args)
    question = get_bank().get(row.item_id)
    if question is None:
        flash("That question has been retired from the course; your answer is kept.", "info")
        return redirect(url_for("study.index", **scope.query()))
    session = get_session()
    state = session.get(ItemState, (row.user_id, row.item_id))
    latest = session.scalar(
        select(Review.id).where(Review.user_id == row.user_id, Review.item_id == row.item_id).order_by(Review.id.desc()).limit(1)
    )
    settings = _settings()
    result, _ = plan(session, _user().id, get_bank(), settings, scope, utcnow())
    session.commit()
    retention = retention_for(question, settings.desired_retention, current_app.config["SAFETY_RETENTION"])
    # What each button would schedule, like Anki's labels above its buttons.
    options = [
        (value, RATING_LABELS[value], review(row.card_before, value, row.reviewed_at, retention).due - row.reviewed_at)
        for value in (1, 2, 3, 4)
    ]
    return render_template(
        "study/answer.html", row=row, state=state, can_rate=latest == row.id, rating_options=options,
        scope=scope, scope_title=scope.title(get_course()), counts=result.counts, now=utcnow(),
        **answer_context(question, row.response),
    )


@bp.post("/answers/<int:review_id>/rating")
@login_required
def rate(review_id: int) -> ResponseReturnValue:
    """Override the automatic rating with the learner's own."""
    row = _own_review(review_id)
    scope, _ = _scope(request.form)
    question = get_bank().get(row.item_id)
    value = request.form.get("rating", "")
    if question is None or not value.isdigit():
        flash("Choose Again, Hard, Good or Easy.", "warning")
        return redirect(url_for("study.show_answer", review_id=review_id, **scope.query()))
    settings = _settings()
    try:
        override_rating(
            get_session(), _user(), review_id, question, int(value),
            settings.desired_retention, current_app.config["SAFETY_RETENTION"],
        )
    except ReviewError as error:
        flash(str(error), "warning")
    else:
        flash(f"Rated {RATING_LABELS[int(value)]}.", "success")
    return redirect(url_for("study.show_answer", review_id=review_id, **scope.query()))

