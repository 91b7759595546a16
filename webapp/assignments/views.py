"""Instructor pages for assignments: set work, see completion per student, export it as CSV.

All under `/instructor/classes/<id>/assignments`, guarded by
`instructor.access` (instructors only, their own classes only).

CSV columns, as a gradebook import expects: student email, assignment,
score or complete (the best exam score in %, else "complete" or "incomplete"),
date (the completion date, ISO, empty when incomplete).
"""

from __future__ import annotations

from typing import Iterator

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from webapp.assignments import bp
from webapp.assignments.forms import AssignmentForm
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.classes.assignments import Progress, class_assignments, is_overdue, progress
from webapp.classes.roster import members
from webapp.classes.settings import modules_of
from webapp.platform.content import get_bank, get_course
from webapp.platform.csvfile import csv_download, filename_slug, safe_cell
from webapp.platform.db import get_session
from webapp.platform.forms import ActionForm
from webapp.platform.models import Assignment, SchoolClass, utcnow

CSV_HEADER = ["email", "assignment", "score_or_complete", "date"]


def _form(school_class: SchoolClass) -> AssignmentForm:
    form = AssignmentForm()
    course = get_course()
    studied = modules_of(school_class.modules, course)
    modules = [m for m in course.modules if m.id in studied]
    form.modules.choices = [(m.id, m.title) for m in modules]
    form.lessons.choices = [(lesson.id, f"{m.title}: {lesson.title}") for m in modules for lesson in course.lessons_of(m.id)]
    return form


def _completion(school_class: SchoolClass) -> Iterator[tuple[Assignment, list[tuple[int, str, str, Progress]]]]:
    session, bank = get_session(), get_bank()
    students = members(session, school_class.id)
    for assignment in class_assignments(session, school_class.id):
        yield assignment, [(uid, name, email, progress(session, bank, assignment, uid)) for uid, name, email in students]


@bp.get("/instructor/classes/<int:class_id>/assignments")
@instructor_required
def index(class_id: int) -> ResponseReturnValue:
    """The class's assignments with completion counts, and the form to set one."""
    school_class = own_class_or_404(class_id)
    return _index_page(school_class, _form(school_class))


def _index_page(school_class: SchoolClass, form: AssignmentForm) -> ResponseReturnValue:
    now = utcnow()
    rows = [
        (assignment, len(students), sum(done.complete for *_, done in students),
         sum(is_overdue(assignment, done, now) for *_, done in students))
        for assignment, students in _completion(school_class)
    ]
    get_session().commit()
    return render_template("assignments/index.html", school_class=school_class, rows=rows, form=form), \
        400 if form.errors else 200


@bp.post("/instructor/classes/<int:class_id>/assignments")
@instructor_required
def create(class_id: int) -> ResponseReturnValue:
    """Set the class an assignment from the form."""
    school_class = own_class_or_404(class_id)
    form = _form(school_class)
    if form.validate_on_submit() and _consistent(form):
        session = get_session()
        study = form.kind.data == "study"
        session.add(Assignment(
            class_id=school_class.id, title=(form.title.data or "").strip(), kind=form.kind.data,
            modules=list(form.modules.data or []), lessons=list(form.lessons.data or []) if study else [],
            recall_target=form.recall_target.data / 100 if study and form.recall_target.data is not None else None,
            safety_only=bool(form.safety_only.data) and study, due_on=form.due_on.data,
            exam_length=None if study else int(form.exam_length.data or 20),
            time_limit_min=None if study else form.time_limit_min.data,
            min_score=form.min_score.data / 100 if not study and form.min_score.data is not None else None,
        ))
        session.commit()
        flash(f"Assignment “{(form.title.data or '').strip()}” set.", "success")
        return redirect(url_for("assignments.index", class_id=class_id))
    return _index_page(school_class, form)


def _consistent(form: AssignmentForm) -> bool:
    """Settings of the other kind are refused rather than silently dropped."""
    if form.kind.data == "study" and form.min_score.data is not None:
        form.min_score.errors = ["A minimum score belongs to a practice exam."]
        return False
    if form.kind.data == "exam" and (form.recall_target.data is not None or form.lessons.data):
        form.recall_target.errors = ["A recall target and lessons belong to study work."]
        return False
    return True


def _own_assignment(school_class: SchoolClass, assignment_id: int) -> Assignment:
    assignment = get_session().get(Assignment, assignment_id)
    if assignment is None or assignment.class_id != school_class.id:
        abort(404)
    return assignment


@bp.get("/instructor/classes/<int:class_id>/assignments/<int:assignment_id>")
@instructor_required
def detail(class_id: int, assignment_id: int) -> ResponseReturnValue:
    """Completion per student for one assignment, overdue work marked."""
    school_class = own_class_or_404(class_id)
    assignment = _own_assignment(school_class, assignment_id)
    session, bank, now = get_session(), get_bank(), utcnow()
    rows = [(name, email, done, is_overdue(assignment, done, now))
            for uid, name, email in members(session, class_id)
            for done in [progress(session, bank, assignment, uid)]]
    session.commit()
    return render_template("assignments/detail.html", school_class=school_class, assignment=assignment, rows=rows,
                           action=ActionForm())


@bp.post("/instructor/classes/<int:class_id>/assignments/<int:assignment_id>/delete")
@instructor_required
def delete(class_id: int, assignment_id: int) -> ResponseReturnValue:
    """Remove an assignment (exams taken for it are kept)."""
    school_class = own_class_or_404(class_id)
    assignment = _own_assignment(school_class, assignment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    get_session().delete(assignment)
    get_session().commit()
    flash("Assignment removed.", "success")
    return redirect(url_for("assignments.index", class_id=class_id))


def score_or_complete(done: Progress) -> str:
    """The gradebook cell: the exam score in %, else complete / incomplete."""
    if done.score is not None:
        return f"{done.score * 100:.0f}"
    return "complete" if done.complete else "incomplete"


@bp.get("/instructor/classes/<int:class_id>/export/assignments.csv")
@instructor_required
def export(class_id: int) -> ResponseReturnValue:
    """Every student's result on every assignment, one row each."""
    school_class = own_class_or_404(class_id)
    rows = [
        [safe_cell(email), safe_cell(assignment.title), score_or_complete(done),
         done.completed_at.date().isoformat() if done.completed_at else ""]
        for assignment, students in _completion(school_class)
        for _uid, _name, email, done in students
    ]
    get_session().commit()
    return csv_download(rows, CSV_HEADER, f"{filename_slug(school_class.name)}-assignments.csv")
