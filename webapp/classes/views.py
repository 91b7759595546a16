"""`/join`: a student joins a class with its code and sees the classes joined; `/classes/<id>/leave` leaves one.

Wrong codes are limited per account and per client address (`JOIN_LIMIT_PER_ACCOUNT`,
`JOIN_LIMIT_PER_ADDRESS`), so codes cannot be guessed by trying them in bulk.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from webapp.classes import bp, membership
from webapp.classes.forms import JoinForm, LeaveForm
from webapp.classes.settings import find_class_by_code, open_classes, study_settings
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.models import Enrollment, SchoolClass, User


def _account_key() -> str:
    return f"account:{current_user.id}"


def _refused(response: Response) -> bool:
    # Only a refused code counts: a class joining together from one school address
    # never uses up the limit, a guesser trying codes does.
    return response.status_code == 400


@bp.route("/join", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: str(current_app.config["JOIN_LIMIT_PER_ACCOUNT"]), key_func=_account_key, methods=["POST"],
               deduct_when=_refused, scope="join-account")
@limiter.limit(lambda: str(current_app.config["JOIN_LIMIT_PER_ADDRESS"]), methods=["POST"], deduct_when=_refused,
               scope="join-address")
def join() -> ResponseReturnValue:
    """Join a class with its code, and list the classes already joined."""
    session = get_session()
    user: User = current_user
    form = JoinForm()
    status = 200
    if form.validate_on_submit():
        school_class = find_class_by_code(session, form.join_code.data or "")
        if school_class is None:
            form.join_code.errors = ["No class has that join code. Check it with your instructor; codes look like K7P4QD."]
        elif school_class.archived:
            form.join_code.errors = [f"The class “{school_class.name}” is closed and takes no new students."]
        elif school_class.instructor_id == user.id:
            form.join_code.errors = ["You teach this class, so you cannot join it as a student."]
        else:
            try:
                joined = membership.join(session, school_class, user.id)
            except IntegrityError:  # joined from another tab a moment ago
                session.rollback()
                joined = False
            flash(f"You are in “{school_class.name}”." if joined else f"You were already in “{school_class.name}”.",
                  "success")
            return redirect(url_for("classes.join"))
    if request.method == "POST":
        status = 400
    settings = study_settings(
        session, user.id, current_app.config["DEFAULT_RETENTION"], current_app.config["DEFAULT_NEW_LIMIT"]
    )
    return render_template("classes/join.html", form=form, classes=open_classes(session, user.id), settings=settings), status


def _enrollment(class_id: int, user_id: int) -> tuple[Enrollment, SchoolClass]:
    row = get_session().execute(
        select(Enrollment, SchoolClass)
        .join(SchoolClass, SchoolClass.id == Enrollment.class_id)
        .where(Enrollment.class_id == class_id, Enrollment.user_id == user_id)
    ).first()
    if row is None:
        abort(404)
    return row[0], row[1]


@bp.route("/classes/<int:class_id>/leave", methods=["GET", "POST"])
@login_required
def leave(class_id: int) -> ResponseReturnValue:
    """Leave a class, after confirming; answers and progress stay the student's own."""
    user: User = current_user
    enrollment, school_class = _enrollment(class_id, user.id)
    form = LeaveForm()
    if form.validate_on_submit():
        membership.leave(get_session(), enrollment, school_class)
        flash(f"You have left “{school_class.name}”. Your answers and progress are still yours.", "success")
        return redirect(url_for("classes.join"))
    return render_template("classes/leave.html", form=form, school_class=school_class), 400 if request.method == "POST" else 200
