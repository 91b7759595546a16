"""Report views: the learner's report form and list, the instructor's reports page.

`/report/<item id>` needs only a signed-in learner, so an Anki card's back can
link to it; posting is rate-limited per address. Instructors see reports of
their own class's students (`instructor.access`), grouped by item with the
class's item statistics beside them.
"""

from __future__ import annotations

from typing import cast

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from course.models import MBLEX_LABELS, MblexArea
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.classes.roster import members
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.mail import report_answered
from webapp.platform.models import User, utcnow
from webapp.records.items import item_analysis
from webapp.reports import bp, service
from webapp.reports.forms import REASONS, ReportForm, ResolveForm

REPORT_LIMIT = "10 per hour"


def _reporter_key() -> str:
    # Per learner, not per address: a whole class may share one school address.
    return f"reporter:{_user().id}" if getattr(current_user, "is_authenticated", False) else get_remote_address()


def _user() -> User:
    return cast(User, current_user)


@bp.route("/report/<item_id>", methods=["GET", "POST"])
@login_required
@limiter.limit(REPORT_LIMIT, methods=["POST"], key_func=_reporter_key)
def report(item_id: str) -> ResponseReturnValue:
    """Report a problem with one question (once per learner and question)."""
    question = get_bank().get(item_id[:120])
    if question is None:
        abort(404)
    session = get_session()
    existing = service.report_of(session, _user().id, question.id)
    form = ReportForm()
    if existing is None and form.validate_on_submit():
        try:
            service.create_report(session, _user().id, question.id, str(form.reason.data),
                                  form.comment.data or "", utcnow())
        except service.ReportError as error:
            flash(str(error), "info")
        else:
            flash("Thank you. Your report was sent to your instructors and the course authors.", "success")
        return redirect(url_for("reports.report", item_id=question.id))
    status = 400 if form.is_submitted() and existing is None else 200
    session.commit()
    return render_template("reports/report.html", question=question, form=form, existing=existing,
                           reasons=REASONS), status


@bp.get("/report/mine")
@login_required
def mine() -> ResponseReturnValue:
    """The learner's reports, with the status and any reply."""
    reports = service.reports_of(get_session(), _user().id)
    get_session().commit()
    return render_template("reports/mine.html", reports=reports, bank=get_bank(), reasons=REASONS)


@bp.get("/instructor/classes/<int:class_id>/reports")
@instructor_required
def class_reports(class_id: int) -> ResponseReturnValue:
    """Open reports by the class's students, grouped by item, with the item's statistics."""
    school_class = own_class_or_404(class_id)
    session = get_session()
    grouped = service.class_reports(session, class_id)
    handled = service.class_reports(session, class_id, status=None)
    handled = {item: [r for r in reports if r.status != "open"] for item, reports in handled.items()}
    handled = {item: reports for item, reports in handled.items() if reports}
    users = [row[0] for row in members(session, class_id)]
    stats = item_analysis(session, users, list(grouped)) if grouped and users else {}
    names = {row[0]: row[1] for row in members(session, class_id)}
    session.commit()
    areas = {area.value: MBLEX_LABELS[area] for area in MblexArea}
    return render_template("reports/class.html", school_class=school_class, grouped=grouped, handled=handled,
                           stats=stats, bank=get_bank(), names=names, reasons=REASONS, areas=areas,
                           form=ResolveForm())


@bp.post("/instructor/classes/<int:class_id>/reports/<int:report_id>")
@instructor_required
def resolve(class_id: int, report_id: int) -> ResponseReturnValue:
    """Resolve or dismiss one report with a reply."""
    own_class_or_404(class_id)
    session = get_session()
    found = service.report_for_instructor(session, _user().id, class_id, report_id)
    if found is None:
        abort(404)
    form = ResolveForm()
    if not form.validate_on_submit():
        flash(" ".join(error for errors in form.errors.values() for error in errors), "warning")
        return redirect(url_for("reports.class_reports", class_id=class_id))
    service.handle(session, found, str(form.status.data), form.reply.data or "", _user(), utcnow())
    report_answered.send(found.id)  # the learner is emailed the reply (webapp.reminders)
    flash("Report marked {}. The learner sees your reply.".format(found.status), "success")
    return redirect(url_for("reports.class_reports", class_id=class_id))
