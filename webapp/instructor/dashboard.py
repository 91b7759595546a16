"""The class overview, the exam-day forecast and the one-student page (read-only views).

Times and days on these pages are in the class's zone (`SchoolClass.timezone`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Sequence

from flask import abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from quizzes.bank import Bank
from quizzes.bodymap import REGIONS, body_map_svg, region_label
from quizzes.questions import Question
from quizzes.scheduling import retention_for
from webapp.classes import roster as class_roster
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.classes.settings import modules_of
from webapp.instructor import analytics, bp, forecast, pace, snapshot
from webapp.instructor.unsafe import still_unsafe_items, unsafe_picks
from webapp.platform.clock import local_date
from webapp.platform.content import get_bank, item_label
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, Review, SchoolClass, User, utcnow
from webapp.records import stats
from webapp.records.summary import chart_json, progress_context

STATUS_ORDER = {pace.STATUS_FLAGGED: 0, pace.STATUS_ON_TRACK: 1, pace.STATUS_JUST_STARTED: 2}
SORTABLE: dict[str, Callable[[analytics.StudentRow], Any]] = {
    "name": lambda r: r.name.casefold(),
    "status": lambda r: (STATUS_ORDER.get(r.status, 3), -len(r.flags), r.name.casefold()),
    "last_active": lambda r: r.last_active or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
    "reviews_7d": lambda r: r.reviews_7d,
    "seen": lambda r: r.seen - r.expected,
    "retention": lambda r: -1 if r.retention_30d is None else r.retention_30d,
    "due": lambda r: r.due_now,
    "exam_recall": lambda r: -1 if r.exam_recall is None else r.exam_recall,
    "unsafe": lambda r: r.still_unsafe,
}


def class_items(bank: Bank, school_class: SchoolClass) -> list[Question]:
    """The questions a class studies: its modules, or every module when none are chosen."""
    modules = set(modules_of(school_class.modules, bank.course))
    return [q for q in bank.questions if q.module in modules]


def class_rows(school_class: SchoolClass, now: dt.datetime) -> tuple[list[Question], list[analytics.StudentRow]]:
    """The class's questions and its overview rows."""
    items = class_items(get_bank(), school_class)
    rows = analytics.student_rows(get_session(), school_class, [q.id for q in items],
                                  [q.id for q in items if q.safety_critical], now)
    return items, rows


def overview_figures(school_class: SchoolClass, now: dt.datetime) -> snapshot.OverviewFigures:
    """The overview's figures at `now`, rows by name (what `snapshot` caches)."""
    session, bank = get_session(), get_bank()
    items, rows = class_rows(school_class, now)
    users = [row.user_id for row in rows]
    zone = school_class.timezone
    return snapshot.OverviewFigures(
        rows=rows, per_day=stats.reviews_per_day(session, users, now, days=60, zone=zone),
        due=stats.due_forecast(session, users, now, days=14, bank=bank, zone=zone),
        retention=stats.true_retention(session, users, now, days=30), total_items=len(items),
    )


@snapshot.computes("overview")
def _overview_figures(school_class: SchoolClass, roster: Sequence[class_roster.Enrolment],
                      now: dt.datetime) -> snapshot.OverviewFigures:
    return overview_figures(school_class, now)


@bp.get("/classes/<int:class_id>")
@instructor_required
def overview(class_id: int) -> ResponseReturnValue:
    """Who needs help and with what: status with reasons, pace, exam-day forecast, unsafe answers, activity.

    The content comes from the class's snapshot (`snapshot`), drawn once per sort.
    """
    school_class = own_class_or_404(class_id)
    roster = class_roster.enrolments(get_session(), class_id)
    sort = request.args.get("sort", "status")
    if sort not in SORTABLE:
        sort = "status"
    descending = request.args.get("dir", "asc") == "desc"
    body = snapshot.rendered("overview", school_class, roster, (sort, descending),
                             lambda now: overview_figures(school_class, now),
                             lambda snap: overview_body(school_class, snap, sort, descending))
    return render_template("instructor/overview.html", school_class=school_class, body=body,
                           has_students=bool(roster))


def overview_body(school_class: SchoolClass, snap: snapshot.Snapshot[snapshot.OverviewFigures], sort: str,
                  descending: bool) -> str:
    """The overview's own content from a snapshot, rows sorted by `sort` (a key of SORTABLE)."""
    figures = snap.figures
    rows = sorted(figures.rows, key=SORTABLE[sort], reverse=descending)
    today = local_date(snap.computed_at, school_class.timezone)
    counts = {status: sum(1 for row in rows if row.status == status) for status in STATUS_ORDER}
    unsafe_rows = sorted((row for row in rows if row.unsafe_picks),
                         key=lambda row: (-row.still_unsafe, -row.unsafe_picks, row.name))
    return render_template(
        "instructor/_overview_body.html",
        school_class=school_class, rows=rows, sort=sort, descending=descending, per_day=figures.per_day,
        forecast=figures.due, retention=figures.retention, total_items=figures.total_items, counts=counts,
        unsafe=unsafe_rows, still_unsafe=sum(1 for row in rows if row.still_unsafe),
        rhythm=analytics.class_rhythm(rows),
        chart_data=chart_json(figures.per_day, [(today + dt.timedelta(days=i), n) for i, n in enumerate(figures.due)]),
        pace=pace, exam=analytics.exam_moment(school_class), figures_at=snap.computed_at,
        refresh_seconds=snap.fresh_for,
    )


@bp.get("/classes/<int:class_id>/forecast")
@instructor_required
def forecast_page(class_id: int) -> ResponseReturnValue:
    """Exam-day forecast: coverage and recall per student, per module, per site, for safety-critical items."""
    school_class = own_class_or_404(class_id)
    session, bank, now = get_session(), get_bank(), utcnow()
    items, rows = class_rows(school_class, now)
    exam = analytics.exam_moment(school_class)
    users = [row.user_id for row in rows]
    item_ids = [q.id for q in items]
    safety_ids = [q.id for q in items if q.safety_critical]
    recalls = forecast.item_recalls(session, users, item_ids, exam) if exam else {}
    modules = [m for m in bank.modules if any(q.module == m.id for q in items)]
    module_items = {m.id: [q.id for q in items if q.module == m.id] for m in modules}
    site_items: dict[str, list[str]] = {}
    for question in items:
        for site in question.sites:
            if site in REGIONS:
                site_items.setdefault(site, []).append(question.id)
    verdicts = at_recent_pace(school_class, rows, items, recalls, now, exam)
    return render_template(
        "instructor/forecast.html", school_class=school_class, rows=rows, exam=exam, modules=modules,
        verdicts=verdicts, class_verdict=pace.combine(list(verdicts.values())), pace=pace,
        per_module=forecast.by_group(recalls, users, module_items),
        per_site=forecast.by_group(recalls, users, site_items), site_label=region_label,
        safety=forecast.by_group(recalls, users, {"safety": safety_ids})["safety"],
        overall=forecast.by_group(recalls, users, {"all": item_ids})["all"],
        per_student=forecast.by_student(recalls, users, item_ids),
        per_student_safety=forecast.by_student(recalls, users, safety_ids),
        bodymap_svg=body_map_svg,
    )


def at_recent_pace(school_class: SchoolClass, rows: list[analytics.StudentRow], items: list[Question],
                   recalls: dict[tuple[int, str], float], now: dt.datetime,
                   exam: dt.datetime | None) -> dict[int, pace.Projection]:
    """Student -> their projection with the exam-day recall at their recent pace (`pace.projected_recall`)."""
    if exam is None or exam <= now:
        return {}
    item_ids = [q.id for q in items]
    due = forecast.due_before(get_session(), [row.user_id for row in rows], item_ids, exam)
    desired, safety = school_class.desired_retention, current_app.config["SAFETY_RETENTION"]
    targets = {q.id: retention_for(q, desired, safety) for q in items}
    met_by_student: dict[int, list[tuple[float, bool, float]]] = {}
    for (uid, item), recall in recalls.items():
        met_by_student.setdefault(uid, []).append((recall, (uid, item) in due, targets[item]))
    result = {}
    for row in rows:
        if row.projection is None:
            continue
        met = met_by_student.get(row.user_id, [])
        observed = row.retention_30d if row.retention_reviews >= pace.RETENTION_MIN_REVIEWS else None
        on_the_day = pace.projected_recall(met, row.projection.projected_met - row.projection.met, desired, observed)
        result[row.user_id] = pace.with_recall(row.projection, on_the_day, desired)
    return result


def enrolled_student_or_404(class_id: int, user_id: int) -> User:
    """A student of the class, or a 404 (also for another instructor's class)."""
    own_class_or_404(class_id)
    user = get_session().scalar(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == class_id, User.id == user_id)
    )
    if user is None:
        abort(404)
    return user


def recent_answers(user_id: int, limit: int = 30) -> list[tuple[Review, Question | None]]:
    """The student's latest answers with their questions (None when retired)."""
    bank = get_bank()
    reviews = get_session().scalars(
        select(Review).where(Review.user_id == user_id).order_by(Review.reviewed_at.desc()).limit(limit)
    ).all()
    return [(review, bank.get(review.item_id)) for review in reviews]


@bp.get("/classes/<int:class_id>/students/<int:user_id>")
@instructor_required
def student(class_id: int, user_id: int) -> ResponseReturnValue:
    """One student: status and its evidence, exam-day forecast (now and if they keep pace), unsafe picks, answers."""
    school_class = own_class_or_404(class_id)
    user = enrolled_student_or_404(class_id, user_id)
    session, bank, now = get_session(), get_bank(), utcnow()
    items, rows = class_rows(school_class, now)
    row = next(r for r in rows if r.user_id == user.id)
    item_ids = [q.id for q in items]
    safety_ids = [q.id for q in items if q.safety_critical]
    exam = analytics.exam_moment(school_class)
    current: dict[str, forecast.Forecast] = {}
    projected: dict[str, forecast.Forecast] = {}
    verdict = None
    if exam is not None and exam > now:
        recalls = forecast.item_recalls(session, [user.id], item_ids, exam)
        current = forecast.by_group(recalls, [user.id], {"all": item_ids, "safety": safety_ids})
        projected = forecast.projected(session, user.id, bank, school_class, item_ids, now, exam,
                                       current_app.config["SAFETY_RETENTION"])
        # The same verdict as the forecast page's row: coverage and recall at the recent pace.
        verdict = at_recent_pace(school_class, [row], items, recalls, now, exam).get(user.id)
    picks = unsafe_picks(session, [user.id])
    context = progress_context(user.id, now, school_class.timezone)
    return render_template(
        "instructor/student.html", school_class=school_class, student=user, row=row, pace=pace,
        rhythm=analytics.class_rhythm(rows), exam=exam, current=current, projected=projected, verdict=verdict,
        picks=[(pick, bank.get(pick.item_id)) for pick in picks],
        still_unsafe=still_unsafe_items(session, [user.id]).get(user.id, set()),
        answers=recent_answers(user.id), item_label=item_label, **context,
    )
