"""`/study` views: one question at a time, graded at once, scheduled by FSRS.

GET /study shows the next question (planned by `quizzes.planner`) with a signed
presentation token; POST /study/answer records it through `webapp.records.answers` and
redirects to the answer page (so a reload never re-posts); the answer page
offers the four Anki ratings to override the automatic one, and undo.
`?ahead=1` studies learning questions due within `ending.SOON` now. An answer
sent after the session or CSRF token expired is stashed (`stash`) and recorded
at `/study/resume` after log-in. Extra practice past the daily limit lives in
`practice`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as WerkzeugResponse

from quizzes.questions import Question
from quizzes.scheduling import retention_for, review
from webapp.classes.settings import StudySettings, study_settings
from webapp.platform.content import get_bank, get_course
from webapp.platform.db import end_read, get_session, read_first
from webapp.platform.models import ItemState, Review, User, utcnow
from webapp.questions import tokens as presentations
from webapp.questions.lessons import lesson_link
from webapp.questions.page import answer_context, question_context, rating_previews
from webapp.questions.responses import FormData, parse_response
from webapp.records.answers import record_answer
from webapp.records.corrections import override_rating, rerateable, undo_answer, undoable
from webapp.records.scoring import ReviewError
from webapp.records.stats import load_cards
from webapp.study import bp, stash
from webapp.study.ending import SOON, ending, wait_seconds
from webapp.study.plan import Scope, items_in_scope, new_seen_today, parse_scope, plan, user_zone

RATING_LABELS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _scope(args: Mapping[str, str]) -> tuple[Scope, str | None]:
    return parse_scope(get_course(), args)


def _to(endpoint: str, query: Mapping[str, str], **values: Any) -> str:
    """`url_for` with the page's query (scope, ahead) kept."""
    arguments: dict[str, Any] = {**query, **values}
    return url_for(endpoint, **arguments)


def _query(scope: Scope, args: Mapping[str, str]) -> dict[str, str]:
    """The scope's query, plus `ahead=1` while studying ahead, carried from page to page."""
    return {**scope.query(), **({"ahead": "1"} if args.get("ahead") == "1" else {})}


def _user() -> User:
    user: User = current_user
    return user


def _settings() -> StudySettings:
    config = current_app.config
    return study_settings(get_session(), _user().id, config["DEFAULT_RETENTION"], config["DEFAULT_NEW_LIMIT"])


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """The next question, or why there is none now and what comes next."""
    scope, problem = _scope(request.args)
    query = _query(scope, request.args)
    now = utcnow()
    settings = _settings()
    bank = get_bank()
    session = get_session()
    # Studying ahead plans as if it were SOON later: learning questions due by then come now.
    result = plan(session, _user().id, bank, settings, scope, now + SOON if "ahead" in query else now)
    context = dict(scope=scope, query=query, scope_title=scope.title(get_course()), counts=result.counts,
                   settings=settings, problem=problem)
    status = 404 if problem else 200
    if result.next is None:
        zone = user_zone(session, _user().id)
        end = ending(load_cards(session, _user().id, bank), items_in_scope(bank, settings, scope), now,
                     new_seen_today(session, _user().id, now, zone), settings.new_per_day)
        session.commit()  # end the read transaction before rendering
        wait = request.args.get("wait") == "1" and end.waiting
        # The counts say what comes next: the learning questions due soon, not "0 learning".
        context["counts"] = replace(result.counts, learning=end.learning_soon)
        context["learning_soon"] = end.waiting
        return render_template("study/done.html", end=end, now=now, wait=wait, refresh_after=wait_seconds(end, now),
                               **context), status
    session.commit()
    token = presentations.issue(current_app.config["SECRET_KEY"], _user().id, result.next.id, now)
    return render_template("study/question.html", token=token, values=MultiDict(), **question_context(result.next),
                           **context), status


def _rerender(question: Question, token: str, scope: Scope, error: str, form: FormData) -> ResponseReturnValue:
    result = plan(get_session(), _user().id, get_bank(), _settings(), scope, utcnow())
    get_session().commit()
    return render_template(
        "study/question.html", token=token, error=error, values=form, scope=scope, query=_query(scope, form),
        scope_title=scope.title(get_course()), counts=result.counts, **question_context(question),
    ), 400


@bp.post("/answer")
def answer() -> ResponseReturnValue:
    """Record one answer once, then show it (POST-redirect-GET); kept for after log-in if the session ended."""
    # Who answers and their settings are read first; `_record` ends that read before the write.
    read_first(get_session())
    if not current_user.is_authenticated:
        return _keep_for_login()
    return _record(request.form)


@bp.errorhandler(CSRFError)
def _csrf_expired(_error: CSRFError) -> ResponseReturnValue:
    """An answer whose CSRF token expired is kept and recorded, not thrown away with a 400."""
    if stash.stashable():
        return _keep_for_login()
    return render_template("error.html", code=400, message="This form has expired or was already sent. Please reload the page and try again."), 400


def _keep_for_login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        response = redirect(url_for("study.resume"))
    else:
        flash("Your session had ended. Your answer is kept: log in and it will be recorded.", "info")
        response = redirect(url_for("auth.login", next=url_for("study.resume")))
    if not stash.stash(response):
        flash("Your session had ended and that answer was too long to keep. Please answer again after logging in.", "warning")
    return response


@bp.get("/resume")
@login_required
def resume() -> ResponseReturnValue:
    """Record the answer kept while the learner logged in again, then show it."""
    form = stash.unstash()
    if form is None:
        flash("There was no kept answer to record (it may have been older than an hour). Here is your next question.", "info")
        response: WerkzeugResponse = redirect(url_for("study.index"))
    else:
        response = make_response(_record(form))
    stash.forget(response)
    return response


def _record(form: FormData) -> ResponseReturnValue:
    scope, _ = _scope(form)
    token = form.get("presentation") or ""
    try:
        shown = presentations.verify(current_app.config["SECRET_KEY"], token, _user().id)
    except presentations.PresentationError:
        return _problem("This question form was not recognised, so nothing was recorded. Here is a fresh question.", scope)
    question = get_bank().get(shown.item_id)
    if question is None:
        return _problem("That question is no longer part of the course, so nothing was recorded. Here is another one.", scope)
    parsed = parse_response(question, form)
    if parsed.error:
        return _rerender(question, token, scope, parsed.error, form)
    now = utcnow()
    settings = _settings()
    end_read(get_session())  # record_answer's own transaction takes SQLite's write lock
    try:
        recorded = record_answer(
            get_session(), _user(), question, parsed.response,
            int((now - shown.shown_at).total_seconds() * 1000), shown.presentation_id, now,
            settings.desired_retention, current_app.config["SAFETY_RETENTION"],
        )
    except ReviewError as error:
        return _rerender(question, token, scope, str(error), form)
    if recorded.duplicate:
        flash("That answer was already recorded; it counts once.", "info")
    return redirect(_to("study.show_answer", _query(scope, form), review_id=recorded.review.id))


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
    now = utcnow()
    state = session.get(ItemState, (row.user_id, row.item_id))
    settings = _settings()
    result = plan(session, _user().id, get_bank(), settings, scope, now)
    can_undo = undoable(session, _user().id, row, now)
    can_rate = rerateable(session, row)
    session.commit()
    retention = retention_for(question, settings.desired_retention, current_app.config["SAFETY_RETENTION"])
    # What each button would schedule, like Anki's labels above its buttons (unfuzzed, so the words hold still).
    after = [review(row.card_before, value, row.reviewed_at, retention, fuzz=False) for value in (1, 2, 3, 4)]
    thens = [review(card.card, 3, card.due, retention, fuzz=False).due - card.due for card in after]
    labels = rating_previews([card.due - row.reviewed_at for card in after], thens)
    options = [(value, RATING_LABELS[value], label) for value, label in zip((1, 2, 3, 4), labels)]
    return render_template(
        "study/answer.html", row=row, state=state, can_rate=can_rate, rating_options=options,
        can_undo=can_undo, scope=scope, query=_query(scope, request.args), next_query=_query(scope, request.args),
        scope_title=scope.title(get_course()), counts=result.counts, now=now, lesson=lesson_link(question),
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
        return redirect(_to("study.show_answer", _query(scope, request.form), review_id=review_id))
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
    return redirect(_to("study.show_answer", _query(scope, request.form), review_id=review_id))


@bp.post("/answers/<int:review_id>/undo")
@login_required
def undo(review_id: int) -> ResponseReturnValue:
    """Take the last answer back: the question returns as it was, and the answer counts nowhere."""
    scope, _ = _scope(request.form)
    query = _query(scope, request.form)
    try:
        undo_answer(get_session(), _user(), review_id, utcnow())
    except ReviewError as error:
        flash(str(error), "warning")
        if get_session().scalar(select(Review.id).where(Review.id == review_id, Review.user_id == _user().id)):
            return redirect(_to("study.show_answer", query, review_id=review_id))
        return redirect(_to("study.index", query))
    flash("Answer undone: that question is back as it was before you answered it.", "success")
    return redirect(_to("study.index", query))

