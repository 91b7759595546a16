"""Classes from the student's side: `/join` with a code, and the study settings a class sets.

A student may study with no class at all (config defaults). With classes, the
most recently joined open class sets desired retention and the daily new limit,
and the modules studied are the union of every open class's modules.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.db import get_session
from webapp.forms import JoinForm
from webapp.models import Enrollment, SchoolClass, User

bp = Blueprint("classes", __name__)

# No 0/O or 1/I: codes are read aloud and copied from a whiteboard.
JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    """A fresh random join code (uniqueness is the database's job: retry on conflict)."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


@dataclass(frozen=True)
class StudySettings:
    """What governs one learner's study: retention, new cards a day, modules (None: all)."""

    desired_retention: float
    new_per_day: int
    modules: frozenset[str] | None
    class_names: tuple[str, ...] = ()


def open_classes(session: Session, user_id: int) -> list[SchoolClass]:
    """The learner's classes that are not archived, most recently joined first."""
    return list(
        session.scalars(
            select(SchoolClass)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.user_id == user_id, SchoolClass.archived.is_(False))
            .order_by(Enrollment.joined_at.desc(), Enrollment.id.desc())
        )
    )


def study_settings(session: Session, user_id: int, default_retention: float, default_new_limit: int) -> StudySettings:
    """The settings that apply to `user_id` now (defaults when in no open class)."""
    classes = open_classes(session, user_id)
    if not classes:
        return StudySettings(default_retention, default_new_limit, None)
    latest = classes[0]
    modules: set[str] | None = set()
    for school_class in classes:
        if not school_class.modules:  # an empty list means the whole course
            modules = None
            break
        modules.update(school_class.modules)  # type: ignore[union-attr]
    return StudySettings(
        desired_retention=latest.desired_retention,
        new_per_day=latest.daily_new_limit,
        modules=frozenset(modules) if modules is not None else None,
        class_names=tuple(c.name for c in classes),
    )


def find_class_by_code(session: Session, code: str) -> SchoolClass | None:
    """The class with this join code, ignoring case and surrounding spaces."""
    normalised = code.strip().upper()
    return session.scalar(select(SchoolClass).where(func.upper(SchoolClass.join_code) == normalised))


@bp.route("/join", methods=["GET", "POST"])
@login_required
def join() -> ResponseReturnValue:
    """Join a class with its code, and list the classes already joined."""
    session = get_session()
    user: User = current_user  # type: ignore[assignment]
    form = JoinForm()
    status = 200
    if form.validate_on_submit():
        school_class = find_class_by_code(session, form.join_code.data)
        if school_class is None:
            form.join_code.errors = ["No class has that join code. Check it with your instructor; codes look like K7P4QD."]
        elif school_class.archived:
            form.join_code.errors = [f"The class “{school_class.name}” is closed and takes no new students."]
        elif school_class.instructor_id == user.id:
            form.join_code.errors = ["You teach this class, so you cannot join it as a student."]
        else:
            already = session.scalar(
                select(Enrollment.id).where(Enrollment.class_id == school_class.id, Enrollment.user_id == user.id)
            )
            if already is None:
                session.add(Enrollment(class_id=school_class.id, user_id=user.id))
                try:
                    session.commit()
                except IntegrityError:  # joined from another tab a moment ago
                    session.rollback()
            flash(
                f"You are in “{school_class.name}”." if already is None else f"You were already in “{school_class.name}”.",
                "success",
            )
            return redirect(url_for("classes.join"))
    if request.method == "POST":
        status = 400
    settings = study_settings(
        session, user.id, current_app.config["DEFAULT_RETENTION"], current_app.config["DEFAULT_NEW_LIMIT"]
    )
    return render_template("join.html", form=form, classes=open_classes(session, user.id), settings=settings), status


def init_app(app: Flask) -> None:
    """Register the classes blueprint."""
    app.register_blueprint(bp)
