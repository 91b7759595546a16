"""Class management: create, edit, archive, join codes and the roster."""

from __future__ import annotations

from decimal import Decimal

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, select

from webapp.classes.codes import unused_join_code
from webapp.content import get_course
from webapp.db import get_session
from webapp.instructor import bp
from webapp.instructor.access import instructor_required, own_class_or_404
from webapp.instructor.forms import ActionForm, ClassForm
from webapp.models import Enrollment, SchoolClass, User


def _class_form(school_class: SchoolClass | None = None) -> ClassForm:
    form = ClassForm(obj=school_class)
    modules = get_course().modules
    form.modules.choices = [(module.id, module.title) for module in modules]
    if school_class is not None and not form.is_submitted():
        form.desired_retention.data = Decimal(round(school_class.desired_retention * 100))
        form.modules.data = school_class.modules or [module.id for module in modules]
    elif school_class is None and not form.is_submitted():
        form.modules.data = [module.id for module in modules]
    return form


def _apply(form: ClassForm, school_class: SchoolClass) -> None:
    school_class.name = (form.name.data or "").strip()
    school_class.desired_retention = float(form.desired_retention.data or 0) / 100
    school_class.daily_new_limit = int(form.daily_new_limit.data or 0)
    school_class.exam_date = form.exam_date.data
    school_class.modules = list(form.modules.data or [])


@bp.get("/")
@instructor_required
def index() -> ResponseReturnValue:
    """My classes, with student counts, and a form to create one."""
    session = get_session()
    rows = session.execute(
        select(SchoolClass, func.count(Enrollment.id))
        .outerjoin(Enrollment, Enrollment.class_id == SchoolClass.id)
        .where(SchoolClass.instructor_id == current_user.id)
        .group_by(SchoolClass.id)
        .order_by(SchoolClass.archived, SchoolClass.created_at.desc())
    ).all()
    return render_template("instructor/index.html", rows=rows, form=_class_form())


@bp.post("/classes/new")
@instructor_required
def create() -> ResponseReturnValue:
    """Create a class from the form on the index page."""
    form = _class_form()
    session = get_session()
    if not form.validate():
        return render_template("instructor/index.html", rows=[], form=form, show_form=True), 400
    school_class = SchoolClass(instructor_id=current_user.id, join_code=unused_join_code(session))
    _apply(form, school_class)
    session.add(school_class)
    session.commit()
    flash(f"Class created. Students join with the code {school_class.join_code}.", "success")
    return redirect(url_for("instructor.overview", class_id=school_class.id))


@bp.route("/classes/<int:class_id>/settings", methods=["GET", "POST"])
@instructor_required
def settings(class_id: int) -> ResponseReturnValue:
    """Edit a class: name, retention, new-item limit, exam date, modules; and the roster."""
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
    status = 400 if form.is_submitted() else 200
    return render_template("instructor/settings.html", school_class=school_class, form=form,
                           roster=roster, action=ActionForm()), status


@bp.post("/classes/<int:class_id>/code")
@instructor_required
def regenerate_code(class_id: int) -> ResponseReturnValue:
    """Replace the join code (the old one stops working; enrolled students stay)."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        session = get_session()
        school_class.join_code = unused_join_code(session)
        session.commit()
        flash(f"New join code: {school_class.join_code}. The old code no longer works.", "success")
    return redirect(url_for("instructor.settings", class_id=class_id))


@bp.post("/classes/<int:class_id>/archive")
@instructor_required
def toggle_archive(class_id: int) -> ResponseReturnValue:
    """Archive a class (hidden from students' class choice) or bring it back."""
    school_class = own_class_or_404(class_id)
    if ActionForm().validate_on_submit():
        school_class.archived = not school_class.archived
        get_session().commit()
        flash("Class archived." if school_class.archived else "Class restored.", "success")
    return redirect(url_for("instructor.index"))


@bp.post("/classes/<int:class_id>/students/<int:user_id>/remove")
@instructor_required
def remove_student(class_id: int, user_id: int) -> ResponseReturnValue:
    """Take a student off the roster; their own study history is kept."""
    own_class_or_404(class_id)
    session = get_session()
    enrollment = session.scalar(
        select(Enrollment).where(Enrollment.class_id == class_id, Enrollment.user_id == user_id)
    )
    if enrollment is None:
        flash("That student is not in this class.", "warning")
    elif ActionForm().validate_on_submit():
        session.delete(enrollment)
        session.commit()
        flash("Student removed from the class. Their own study history is kept.", "success")
    return redirect(url_for("instructor.settings", class_id=class_id))
