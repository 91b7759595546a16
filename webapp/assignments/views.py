"""Instructor pages for assignments: set work, see completion per student, export it as CSV.

All under `/instructor/classes/<id>/assignments`, guarded by
`instructor.access` (instructors only, their own classes only).

The gradebook CSV is in the shape of Moodle's grade import (Grades > Import >
CSV file): one row per student, the email address to map the student by
("Email address" to "useremail"), and per assignment one numeric column (the
percent of its questions met, or the best exam score in %; empty when there
is nothing to grade, which Moodle reads as no grade) followed by a text column
with the progress as the page shows it, for mapping as that grade's feedback.
`?format=long` gives one row per student and assignment instead, for a
spreadsheet.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from flask import abort, flash, redirect, render_template, request, url_for
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

LONG_HEADER = ["email", "student", "assignment", "kind", "due", "grade_percent", "progress", "status", "completed"]


def _form(school_class: SchoolClass) -> AssignmentForm:
    form = AssignmentForm()
    course = get_course()
    studied = modules_of(school_class.modules, course)
    modules = [m for m in course.modules if m.id in studied]
    form.modules.choices = [(m.id, m.title) for m in modules]
    form.lessons.choices = [(lesson.id, lesson.title) for m in modules for lesson in course.lessons_of(m.id)]
    return form


def _lesson_modules(school_class: SchoolClass) -> dict[str, str]:
    """Lesson id -> its module's title: the form lists lessons under their module."""
    course = get_course()
    studied = modules_of(school_class.modules, course)
    return {lesson.id: m.title for m in course.modules if m.id in studied for lesson in course.lessons_of(m.id)}


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
    return render_template("assignments/index.html", school_class=school_class, rows=rows, form=form,
                           lesson_modules=_lesson_modules(school_class)), \
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


def grade(done: Progress, assignment: Assignment) -> str:
    """The numeric gradebook cell: best exam score in %, or the percent of the questions met; empty for no grade."""
    if assignment.kind == "exam":
        value = None if done.score is None else done.score * 100
    else:
        value = 100 * done.seen / done.total if done.total else None
    return "" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def progress_words(done: Progress, assignment: Assignment, overdue: bool) -> str:
    """The progress as the assignment page shows it, in words: figures, then status."""
    if assignment.kind == "exam":
        figures = f"best {round(done.score * 100)} %" if done.score is not None else "not taken"
    else:
        figures = f"{done.seen} / {done.total} met"
        if done.recall is not None:
            figures += f", recall {round(done.recall * 100)} %"
    return f"{figures}; {status_of(done, overdue)}"


def status_key(done: Progress, overdue: bool) -> str:
    """complete, overdue or in progress."""
    return "complete" if done.complete else "overdue" if overdue else "in progress"


def status_of(done: Progress, overdue: bool) -> str:
    """The status in words, a completion with its date."""
    if done.complete and done.completed_at:
        return f"complete {done.completed_at.date().isoformat()}"
    return status_key(done, overdue)


def column_titles(assignments: Sequence[Assignment]) -> list[str]:
    """One column title per assignment, no two alike: a shared title gets its due date, then a number."""
    counts: dict[str, int] = {}
    for assignment in assignments:
        counts[assignment.title] = counts.get(assignment.title, 0) + 1
    titles, used = [], set()
    for assignment in assignments:
        title = assignment.title if counts[assignment.title] == 1 else \
            f"{assignment.title} (due {assignment.due_on.isoformat()})"
        base, n = title, 1
        while title in used:
            n += 1
            title = f"{base} {n}"
        used.add(title)
        titles.append(title)
    return titles


@bp.get("/instructor/classes/<int:class_id>/export/assignments.csv")
@instructor_required
def export(class_id: int) -> ResponseReturnValue:
    """The gradebook: one row per student in Moodle's grade-import shape, or `?format=long`, one row per result."""
    school_class = own_class_or_404(class_id)
    now = utcnow()
    completion = list(_completion(school_class))
    get_session().commit()
    slug = filename_slug(school_class.name)
    if request.args.get("format") == "long":
        rows = [
            [safe_cell(email), safe_cell(name), safe_cell(assignment.title), assignment.kind,
             assignment.due_on.isoformat(), grade(done, assignment),
             progress_words(done, assignment, is_overdue(assignment, done, now)),
             status_key(done, is_overdue(assignment, done, now)),
             done.completed_at.date().isoformat() if done.completed_at else ""]
            for assignment, students in completion
            for _uid, name, email, done in students
        ]
        return csv_download(rows, LONG_HEADER, f"{slug}-assignments-long.csv")
    titles = column_titles([assignment for assignment, _ in completion])
    header = ["Email address", "Full name"]
    for title in titles:
        header += [title, f"{title} (feedback)"]
    by_student: dict[int, list[object]] = {}
    for assignment, students in completion:
        for uid, name, email, done in students:
            row = by_student.setdefault(uid, [safe_cell(email), safe_cell(name)])
            row += [grade(done, assignment), progress_words(done, assignment, is_overdue(assignment, done, now))]
    if not completion:
        by_student = {uid: [safe_cell(email), safe_cell(name)]
                      for uid, name, email in members(get_session(), class_id)}
    return csv_download(list(by_student.values()), header, f"{slug}-gradebook.csv")
