"""Class management: create, edit, archive, join codes and the roster.

Destructive actions ask first (static/instructor.js, `data-confirm`) and can be
reversed: a removed student can be added back with their original join date,
a replaced join code can be brought back while no other class has taken it,
an archived class can be restored. What can be undone is kept on the server
(`webapp.classes.membership`): once, for minutes, by the class's instructor, and
void once the student leaves or rejoins, so a kept cookie or page undoes nothing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from webapp.classes import membership
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.classes.codes import unused_join_code
from webapp.classes.settings import modules_of
from webapp.instructor import bp
from webapp.instructor.forms import ClassForm
from webapp.platform.clock import UTC_NAME, zone_names
from webapp.platform.content import get_course
from webapp.platform.db import get_session
from webapp.platform.forms import ActionForm
from webapp.platform.models import Enrollment, SchoolClass, User, utcnow


def _class_form(school_class: SchoolClass | None = None) -> ClassForm:
    form = ClassForm(obj=school_class)
    modules = get_course().modules
    form.modules.choices = [(module.id, module.title) for module in modules]
    form.timezone.choices = [(name, name.replace("_", " ")) for name in zone_names()]
    if school_class is not None and not form.is_submitted():
        form.desired_retention.data = Decimal(round(school_class.desired_retention * 100))
        form.modules.data = modules_of(school_class.modules, get_course())
        form.timezone.data = school_class.timezone or UTC_NAME
    elif school_class is None and not form.is_submitted():
        form.modules.data = [module.id for module in modules]
        form.timezone.data = UTC_NAME
    return form


def _apply(form: ClassForm, school_class: SchoolClass) -> None:
    school_class.name = (form.name.data or "").strip()
    school_class.desired_retention = float(form.desired_retention.data or 0) / 100
    school_class.daily_new_limit = int(form.daily_new_limit.data or 0)
    school_class.exam_date = form.exam_date.data
    school_class.modules = list(form.modules.data or [])
    school_class.timezone = form.timezone.data or UTC_NAME
    school_class.anki_counts = bool(form.anki_counts.data)


def _my_classes() -> list[Any]:
    return list(get_session().execute(
        select(SchoolClass, func.count(Enrollment.id))
        .outerjoin(Enrollment, Enrollment.class_id == SchoolClass.id)
        .where(SchoolClass.instructor_id == current_user.id)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.archived, SchoolClass.created_at.desc())
    ).all())


@bp.get("/")
@instructor_required
def index() -> ResponseReturnValue:
    """My classes, with student counts, and a form to create one."""
    return render_template("instructor/index.html", rows=_my_classes(), form=_class_form(), action=ActionForm())


@bp.post("/classes/new")
@instructor_required
def create() -> ResponseReturnValue:
    """Create a class from the form on the index page (an error keeps the list and the typed values)."""
    form = _class_form()
    session_db = get_session()
    if not form.validate():
        return render_template("instructor/index.html", rows=_my_classes(), form=form, show_form=True,
                               action=ActionForm()), 400
    school_class = SchoolClass(instructor_id=current_user.id, join_code=unused_join_code(session_db))
    _apply(form, school_class)
    session_db.add(school_class)
    session_db.commit()
    flash(f"Class created. Students join with the code {school_class.join_code}.", "success")
    return redirect(url_for("instructor.overview", class_id=school_class.id))


def _undo_minutes() -> float:
    return float(current_app.config["ROSTER_UNDO_MINUTES"])


@bp.route("/classes/<int:class_id>/settings", methods=["GET", "POST"])
@instructor_required
def settings(class_id: int) -> ResponseReturnValue:
    """Edit a class: name, retention, new-item limit, exam date, modules, zone; and the roster."""
    school_class = own_class_or_404(class_id)
    form = _class_form(school_class)
    if form.validate_on_submit():
        _apply(form, school_class)
        get_session().commit()
        flash("Class settings saved.", "success")
        return redirect(url_for("instructor.settings", class_id=class_id))
    roster = get_session().execute(
        select(User, Enrollment.joined_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == class_id)
        .order_by(User.display_name)
    ).all()
    removed, old_code = membership.pending(get_session(), school_class, utcnow())
    status = 400 if form.is_submitted() else 200
    return render_template("instructor/settings.html", school_class=school_class, form=form,
                           roster=roster, action=ActionForm(), removed=removed, old_code=old_code), status


@bp.post("/classes/<int:class_id>/code")
@instructor_required
def regenerate_code(class_id: int) -> ResponseReturnValue:
    """Replace the join code (the old one stops working; enrolled students stay; can be undone)."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        db = get_session()
        membership.replace_code(db, school_class, unused_join_code(db), utcnow(), _undo_minutes())
        flash(f"New join code: {school_class.join_code}. The old code no longer works.", "success")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.post("/classes/<int:class_id>/code/restore")
@instructor_required
def restore_code(class_id: int) -> ResponseReturnValue:
    """Bring back the code just replaced, once, unless another class has taken it since."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        old = membership.restore_code(get_session(), school_class, utcnow())
        if old is not None:
            flash(f"The join code is {old} again.", "success")
        else:
            flash("The old code cannot come back now (undone already, too late, or another class uses it); "
                  "keep the new one.", "warning")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.post("/classes/<int:class_id>/archive")
@instructor_required
def toggle_archive(class_id: int) -> ResponseReturnValue:
    """Archive a class (hidden from students' class choice) or bring it back."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        school_class.archived = not school_class.archived
        get_session().commit()
        flash("Class archived. Restore it from its card below." if school_class.archived else "Class restored.",
              "success")
    return redirect(url_for("instructor.index"))


@bp.post("/classes/<int:class_id>/students/<int:user_id>/remove")
@instructor_required
def remove_student(class_id: int, user_id: int) -> ResponseReturnValue:
    """Take a student off the roster; their own study history is kept, and they can be added back for a while."""
    school_class = own_class_or_404(class_id)
    db = get_session()
    enrollment = db.scalar(
        select(Enrollment).where(Enrollment.class_id == class_id, Enrollment.user_id == user_id)
    )
    if enrollment is None:
        flash("That student is not in this class.", "warning")
    elif ActionForm().validate_on_submit():
        membership.remove(db, enrollment, school_class, utcnow(), _undo_minutes())
        flash("Student removed from the class. Their own study history is kept; "
              "reset links you made for them no longer work.", "success")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.post("/classes/<int:class_id>/students/<int:user_id>/readd")
@instructor_required
def readd_student(class_id: int, user_id: int) -> ResponseReturnValue:
    """Add back the student just removed, with their original join date (once, and not after they left or rejoined)."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        if membership.readd(get_session(), school_class, user_id, utcnow()):
            flash("Student added back to the class.", "success")
        else:
            flash("That removal can no longer be undone. The student can join again with the class's code.",
                  "warning")
    return redirect(url_for("instructor.settings", class_id=class_id))
