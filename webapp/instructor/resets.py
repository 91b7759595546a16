"""One-time password reset links for a student of one's own class (no mail server needed).

The link is shown once, to the instructor, with a copy button; the instructor
passes it on in person or by the school's own channels. Only the class's own
instructor may issue it, and only for a student enrolled in that class: any
other class or student is a 404 (`dashboard.enrolled_student_or_404`).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.accounts.profile.resets import ResetError, issue_reset
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.instructor import bp
from webapp.instructor.dashboard import enrolled_student_or_404
from webapp.platform.db import get_session
from webapp.platform.forms import ActionForm
from webapp.platform.models import utcnow


@bp.post("/classes/<int:class_id>/students/<int:user_id>/reset-link")
@instructor_required
def reset_link(class_id: int, user_id: int) -> ResponseReturnValue:
    """Issue a one-time reset link for this student and show it (earlier links stop working)."""
    school_class = own_class_or_404(class_id)
    student = enrolled_student_or_404(class_id, user_id)
    back = url_for("instructor.student", class_id=class_id, user_id=user_id)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    now = utcnow()
    hours = float(current_app.config["PASSWORD_RESET_HOURS"])
    try:
        token = issue_reset(get_session(), student, current_user.id, now, hours)
    except ResetError as error:
        flash(str(error), "warning")
        return redirect(back)
    link = url_for("account.reset", token=token, _external=True)
    response = make_response(render_template(
        "instructor/reset_link.html", school_class=school_class, student=student, link=link,
        expires_at=now + dt.timedelta(hours=hours), hours=hours, back=back,
    ))
    response.headers["Cache-Control"] = "no-store"  # the link opens an account
    return response
