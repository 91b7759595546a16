"""Report views: the learner's report form and list, the instructor's reports page.

`/report/<item id>` needs only a signed-in learner, so an Anki card's back can
link to it; posting is rate-limited per address. Instructors see reports of
their own class's students (`instructor.access`), grouped by item with the
class's item statistics beside them.
"""

from __future__ import annotations

from typing import cast

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from course.models import MBLEX_LABELS, MblexArea
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.classes.roster import members
from webapp.classes.settings import modules_of
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.extensions import limiter
from webapp.platform.mail import report_answered
from webapp.platform.models import User, utcnow
from webapp.questions.lessons import lesson_link
from webapp.questions.page import correct_answer, response_text
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
    """The learner's reports, with the status and any reply; replies not seen before are marked new."""
    session = get_session()
    reports = service.reports_of(session, _user().id)
    unseen = service.unseen_reply_ids(session, _user().id)
    if unseen:
        service.mark_replies_seen(session, _user().id, utcnow())
    session.commit()
    return render_template("reports/mine.html", reports=reports, bank=get_bank(), reasons=REASONS, unseen=unseen)


@bp.get("/instructor/classes/<int:class_id>/reports")
@instructor_required
def class_reports(class_id: int) -> ResponseReturnValue:
    """Open reports written to the class, grouped by item: the question as shown, its key, each student's pick."""
    school_class = own_class_or_404(class_id)
    session = get_session()
    grouped = service.class_reports(session, class_id)
    handled = service.class_reports(session, class_id, status=None)
    handled = {item: [r for r in reports if r.status != "open"] for item, reports in handled.items()}
    handled = {item: reports for item, reports in handled.items() if reports}
    roster = members(session, class_id)
    users = [row[0] for row in roster]
    stats = item_analysis(session, users, list(grouped)) if grouped and users else {}
    names = {row[0]: row[1] for row in roster}
    picks = service.picks_before(session, [report for reports in grouped.values() for report in reports])
    bank = get_bank()
    files = {item: service.content_file(bank.course, bank.get(item), item, current_app.config["CONTENT_SOURCE_URL"])
             for item in grouped}
    studied = set(modules_of(school_class.modules, bank.course))  # the item page shows the class's questions only
    former = {report.user_id: report.reporter.display_name for reports in list(grouped.values()) + list(handled.values())
              for report in reports if report.user_id not in names}
    session.commit()
    areas = {area.value: MBLEX_LABELS[area] for area in MblexArea}
    return render_template("reports/class.html", school_class=school_class, grouped=grouped, handled=handled,
                           stats=stats, bank=bank, names=names, former=former, reasons=REASONS, areas=areas,
                           form=ResolveForm(), picks=picks, files=files, response_text=response_text,
                           correct_answer=correct_answer, lesson_link=lesson_link, studied=studied)


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
