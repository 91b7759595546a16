"""`/exams` views: choose, predict, take (one question a page, flaggable), finish, review.

No answer is graded before the end. Every page of a begun exam checks the
deadline on the server: past it (with `service.GRACE`), the exam is finished
with the answers saved so far, whatever the browser's timer says.
"""

from __future__ import annotations

from typing import Any, cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from course.models import MBLEX_LABELS, MblexArea
from quizzes.exams import UNSEEN_PRIOR
from webapp.classes.assignments import class_assignment_for_student
from webapp.classes.settings import StudySettings, study_settings
from webapp.exams import bp, service
from webapp.exams.forms import SECONDS_PER_QUESTION, ExamForm
from webapp.exams.page import form_values, has_answer_fields, response_text
from webapp.platform.content import get_bank, get_course
from webapp.platform.db import get_session
from webapp.platform.models import Exam, User, utcnow
from webapp.questions import tokens as presentations
from webapp.questions.lessons import lesson_link
from webapp.questions.page import answer_context, question_context
from webapp.questions.responses import parse_response

AREA_LABELS = {area.value: MBLEX_LABELS[area] for area in MblexArea}


def _user() -> User:
    return cast(User, current_user)


def _exam_or_404(exam_id: int) -> Exam:
    exam = service.own_exam(get_session(), _user().id, exam_id)
    if exam is None:
        abort(404)
    return exam


def _form() -> ExamForm:
    form = ExamForm()
    modules = get_course().modules
    form.modules.choices = [(module.id, module.title) for module in modules]
    if not form.is_submitted():
        # Start from the modules the learner's classes study (every module without a class).
        studied = _settings().modules
        form.modules.data = [module.id for module in modules if studied is None or module.id in studied]
    return form


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Start a practice exam; earlier exams with their scores."""
    exams = service.exams_of(get_session(), _user().id)
    get_session().commit()
    return render_template("exams/index.html", form=_form(), exams=exams, seconds=SECONDS_PER_QUESTION)


@bp.post("/new")
@login_required
def create() -> ResponseReturnValue:
    """Draw an exam from the form and show its readiness page."""
    form = _form()
    if not form.validate_on_submit():
        exams = service.exams_of(get_session(), _user().id)
        return render_template("exams/index.html", form=form, exams=exams, seconds=SECONDS_PER_QUESTION), 400
    modules = list(form.modules.data or [])
    if len(modules) == len(get_course().modules):
        modules = []  # every module: the exam follows the course if modules are added
    try:
        exam = service.create_exam(get_session(), _user().id, get_bank(), length=int(form.length.data or 20),
                                   modules=modules, time_limit_min=form.time_limit_min.data, now=utcnow())
    except service.ExamError as error:
        flash(str(error), "warning")
        return redirect(url_for("exams.index"))
    return redirect(url_for("exams.show", exam_id=exam.id))


@bp.post("/assigned/<int:assignment_id>")
@login_required
def create_assigned(assignment_id: int) -> ResponseReturnValue:
    """Draw the practice exam an instructor set the learner's class."""
    assignment = class_assignment_for_student(get_session(), _user().id, assignment_id)
    if assignment is None or assignment.kind != "exam":
        abort(404)
    try:
        exam = service.create_exam(get_session(), _user().id, get_bank(), length=assignment.exam_length or 20,
                                   modules=assignment.modules or assignment.school_class.modules,
                                   time_limit_min=assignment.time_limit_min,
                                   now=utcnow(), assignment_id=assignment.id)
    except service.ExamError as error:
        flash(str(error), "warning")
        return redirect(url_for("exams.index"))
    return redirect(url_for("exams.show", exam_id=exam.id))


def _settings() -> StudySettings:
    return study_settings(get_session(), _user().id, current_app.config["DEFAULT_RETENTION"],
                          current_app.config["DEFAULT_NEW_LIMIT"])


def _finish(exam: Exam) -> None:
    settings = _settings()
    service.finish(get_session(), _user(), exam, get_bank(), utcnow(), settings.desired_retention,
                   current_app.config["SAFETY_RETENTION"])


def _time_up(exam: Exam) -> ResponseReturnValue | None:
    if exam.finished_at is None and service.time_is_up(exam, utcnow()):
        _finish(exam)
        flash("Time is up. The answers you gave before the limit were scored.", "info")
        return redirect(url_for("exams.result", exam_id=exam.id))
    return None


@bp.get("/<int:exam_id>")
@login_required
def show(exam_id: int) -> ResponseReturnValue:
    """Before it begins: the readiness prediction. Begun: the first unanswered question. Done: the result."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is not None:
        return redirect(url_for("exams.result", exam_id=exam.id))
    if exam.started_at is not None:
        late = _time_up(exam)
        if late is not None:
            return late
        first = next((a.position for a in exam.answers if a.response is None), 1)
        return redirect(url_for("exams.question", exam_id=exam.id, position=first))
    titles = {module.id: module.title for module in get_course().modules}
    return render_template("exams/intro.html", exam=exam, titles=titles, prior=UNSEEN_PRIOR)


@bp.post("/<int:exam_id>/begin")
@login_required
def begin(exam_id: int) -> ResponseReturnValue:
    """Start the clock and show question 1."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is None and exam.started_at is None:
        service.begin(get_session(), exam, utcnow())
        # Straight to question 1, not through `show`: one request fewer when a whole class begins at once.
        return redirect(url_for("exams.question", exam_id=exam.id, position=1))
    return redirect(url_for("exams.show", exam_id=exam.id))


def _render_question(exam: Exam, position: int, values: MultiDict[str, str] | None = None,
                     error: str | None = None) -> ResponseReturnValue:
    answer = exam.answers[position - 1]
    question = get_bank().get(answer.item_id)
    if question is None:
        return render_template("exams/retired.html", exam=exam, position=position)
    token = presentations.issue(current_app.config["SECRET_KEY"], _user().id, question.id, utcnow())
    return render_template(
        "exams/question.html", exam=exam, position=position, answer=answer, token=token, error=error, now=utcnow(),
        values=values if values is not None else form_values(question, answer.response), **question_context(question),
    ), 400 if error else 200


@bp.get("/<int:exam_id>/q/<int:position>")
@login_required
def question(exam_id: int, position: int) -> ResponseReturnValue:
    """One question of a begun exam, with what was answered so far and the flag."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is not None:
        return redirect(url_for("exams.result", exam_id=exam.id))
    if exam.started_at is None or not 1 <= position <= exam.length:
        return redirect(url_for("exams.show", exam_id=exam.id))
    late = _time_up(exam)
    get_session().commit()
    return late or _render_question(exam, position)


def _destination(exam: Exam, position: int, go: str) -> str:
    if go == "prev":
        return url_for("exams.question", exam_id=exam.id, position=max(1, position - 1))
    if go == "next" and position < exam.length:
        return url_for("exams.question", exam_id=exam.id, position=position + 1)
    if go.startswith("q") and go[1:].isdigit() and 1 <= int(go[1:]) <= exam.length:
        return url_for("exams.question", exam_id=exam.id, position=int(go[1:]))
    return url_for("exams.review", exam_id=exam.id)


@bp.post("/<int:exam_id>/q/<int:position>")
@login_required
def save(exam_id: int, position: int) -> ResponseReturnValue:
    """Keep the answer and flag, then go where the learner asked (no grading yet)."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is not None or exam.started_at is None or not 1 <= position <= exam.length:
        return redirect(url_for("exams.show", exam_id=exam.id))
    late = _time_up(exam)
    if late is not None:
        return late
    answer = exam.answers[position - 1]
    question = get_bank().get(answer.item_id)
    go = request.form.get("go", "next")[:8]
    took = 0
    try:
        shown = presentations.verify(current_app.config["SECRET_KEY"], request.form.get("presentation", ""), _user().id)
        if shown.item_id == answer.item_id:
            took = int((utcnow() - shown.shown_at).total_seconds() * 1000)
    except presentations.PresentationError:
        pass  # the answer still counts; only its time is unknown
    response = answer.response
    if question is not None:
        parsed = parse_response(question, request.form)
        if parsed.error is None:
            response = parsed.response
        elif not has_answer_fields(request.form):
            response = None  # left blank (or cleared): unanswered
        elif go != "finish":
            return _render_question(exam, position, request.form, parsed.error)
    if not service.save_answer(get_session(), exam, position, response, request.form.get("flag") == "1", took):
        flash("This exam was finished in another tab or window, so that answer was not saved.", "warning")
        return redirect(url_for("exams.result", exam_id=exam.id))
    if go == "finish":
        _finish(exam)
        return redirect(url_for("exams.result", exam_id=exam.id))
    return redirect(_destination(exam, position, go))


@bp.get("/<int:exam_id>/review")
@login_required
def review(exam_id: int) -> ResponseReturnValue:
    """Every question's status (answered, flagged) before finishing."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is not None:
        return redirect(url_for("exams.result", exam_id=exam.id))
    if exam.started_at is None:
        return redirect(url_for("exams.show", exam_id=exam.id))
    late = _time_up(exam)
    get_session().commit()
    return late or render_template("exams/review.html", exam=exam, bank=get_bank(), now=utcnow())


@bp.post("/<int:exam_id>/finish")
@login_required
def finish(exam_id: int) -> ResponseReturnValue:
    """Grade the exam and record its answers (once)."""
    exam = _exam_or_404(exam_id)
    if exam.started_at is not None:
        _finish(exam)
    return redirect(url_for("exams.show", exam_id=exam.id))


def _miss_detail(miss: service.Missed) -> dict[str, Any]:
    """The answer page's detail for one missed question: every option's reason, the pick, the lesson."""
    detail = answer_context(miss.question, miss.response)
    # One page holds many misses: the body map's drawings repeat ids, so the results name the sites in words.
    detail["map_views"] = []
    if miss.response is None:
        detail["chosen_name"] = "No answer"
    detail["answer_text"] = response_text(miss.question, miss.response)
    detail["lesson"] = lesson_link(miss.question)
    return detail


@bp.get("/<int:exam_id>/result")
@login_required
def result(exam_id: int) -> ResponseReturnValue:
    """Score overall, by content area and by module; predicted against actual; every miss explained."""
    exam = _exam_or_404(exam_id)
    if exam.finished_at is None:
        return redirect(url_for("exams.show", exam_id=exam.id))
    if exam.score is None:  # its finish is under way in another request, or was interrupted: complete it
        _finish(exam)
    summary = service.breakdown(exam, get_bank())
    get_session().commit()
    titles = {module.id: module.title for module in get_course().modules}
    details = {miss.position: _miss_detail(miss) for miss in summary.missed}
    unsafe = sum(1 for detail in details.values() if detail["grade"].unsafe_chosen)
    return render_template("exams/result.html", exam=exam, summary=summary, titles=titles, areas=AREA_LABELS,
                           details=details, unsafe_count=unsafe)


@bp.post("/<int:exam_id>/retake")
@login_required
def retake(exam_id: int) -> ResponseReturnValue:
    """Begin a short exam of the questions missed in a finished one."""
    exam = _exam_or_404(exam_id)
    try:
        short = service.create_retake(get_session(), _user().id, get_bank(), exam, utcnow())
    except service.ExamError as error:
        flash(str(error), "info")
        return redirect(url_for("exams.show", exam_id=exam.id))
    return redirect(url_for("exams.question", exam_id=short.id, position=1))
