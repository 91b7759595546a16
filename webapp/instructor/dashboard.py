"""The class overview, item analysis and one-student pages (read-only views)."""

from __future__ import annotations

import datetime as dt
from typing import Callable

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from quizzes.bank import Bank
from quizzes.bodymap import REGIONS, body_map_svg, region_label
from quizzes.questions import TYPE_LABELS, Question
from webapp.content import get_bank, item_label
from webapp.db import get_session
from webapp.instructor import analytics, bp
from webapp.instructor.access import instructor_required, own_class_or_404
from webapp.instructor.items import ItemStat, item_analysis
from webapp.models import Enrollment, Review, SchoolClass, User, utcnow
from webapp.progress import stats
from webapp.progress.summary import chart_json, progress_context

SORTABLE = {
    "name": lambda r: r.name.casefold(),
    "last_active": lambda r: r.last_active or dt.datetime.min.replace(tzinfo=dt.timezone.utc),
    "reviews_7d": lambda r: r.reviews_7d,
    "seen": lambda r: r.seen,
    "mastery": lambda r: r.mastery,
    "retention": lambda r: -1 if r.retention_30d is None else r.retention_30d,
    "due": lambda r: r.due_now,
    "exam_recall": lambda r: -1 if r.exam_recall is None else r.exam_recall,
    "risk": lambda r: len(r.at_risk),
}


def class_items(bank: Bank, school_class: SchoolClass) -> list[Question]:
    """The questions a class studies: its modules, or every module when none are chosen."""
    modules = set(school_class.modules or [m.id for m in bank.modules])
    return [q for q in bank.questions if q.module in modules]


@bp.get("/classes/<int:class_id>")
@instructor_required
def overview(class_id: int) -> ResponseReturnValue:
    """Class progress at a glance: students, heatmap, body map, activity, unsafe picks."""
    school_class = own_class_or_404(class_id)
    session, bank, now = get_session(), get_bank(), utcnow()
    items = class_items(bank, school_class)
    item_ids = [q.id for q in items]
    safety_ids = [q.id for q in items if q.safety_critical]
    rows = analytics.student_rows(session, class_id, item_ids, safety_ids, now, school_class.exam_date)
    sort = request.args.get("sort", "name")
    descending = request.args.get("dir", "asc") == "desc"
    rows.sort(key=SORTABLE.get(sort, SORTABLE["name"]), reverse=descending)
    users = [row.user_id for row in rows]
    modules = [m for m in bank.modules if any(q.module == m.id for q in items)]
    module_items = {m.id: [q.id for q in items if q.module == m.id] for m in modules}
    heat = {key: mastered / len(module_items[key[1]])
            for key, (_, mastered) in stats.mastery_by_user_module(session, users, now, bank=bank).items()
            if module_items.get(key[1])}
    site_items: dict[str, list[str]] = {site: [] for site in REGIONS}
    for question in items:
        for site in question.sites:
            site_items.setdefault(site, []).append(question.id)
    sites = analytics.group_mastery(session, users, {s: ids for s, ids in site_items.items() if ids})
    per_day = stats.reviews_per_day(session, users, now, days=60)
    forecast = stats.due_forecast(session, users, now, days=14, bank=bank)
    retention = stats.true_retention(session, users, now, days=30)
    unsafe = sorted((row for row in rows if row.unsafe_picks), key=lambda row: (-row.unsafe_picks, row.name))
    return render_template(
        "instructor/overview.html",
        school_class=school_class, rows=rows, sort=sort, descending=descending, modules=modules, heat=heat,
        sites=sites, site_label=region_label, per_day=per_day, forecast=forecast, retention=retention,
        chart_data=chart_json(per_day, [(now.date() + dt.timedelta(days=i), n) for i, n in enumerate(forecast)]), unsafe=unsafe, total_items=len(item_ids),
        at_risk=sum(1 for row in rows if row.at_risk), bodymap_svg=body_map_svg,
    )


ITEM_SORTS: dict[str, tuple[str, Callable[[tuple[Question, ItemStat]], float]]] = {
    "facility": ("most missed first", lambda pair: 2.0 if pair[1].facility is None else pair[1].facility),
    "discrimination": ("lowest discrimination first",
                       lambda pair: 2.0 if pair[1].discrimination is None else pair[1].discrimination),
    "attempts": ("most attempts first", lambda pair: -pair[1].attempts),
    "difficulty": ("highest FSRS difficulty first", lambda pair: -(pair[1].mean_difficulty or 0.0)),
}
ITEMS_PER_PAGE = 40


@bp.get("/classes/<int:class_id>/items")
@instructor_required
def items(class_id: int) -> ResponseReturnValue:
    """Item analysis: facility, discrimination, option choices, FSRS difficulty."""
    school_class = own_class_or_404(class_id)
    bank = get_bank()
    questions = class_items(bank, school_class)
    modules = [m for m in bank.modules if any(q.module == m.id for q in questions)]
    module_filter = request.args.get("module", "")
    if module_filter in {m.id for m in modules}:
        questions = [q for q in questions if q.module == module_filter]
    else:
        module_filter = ""
    users = [uid for uid, _, _ in analytics.members(get_session(), class_id)]
    stats_by_item = item_analysis(get_session(), users, [q.id for q in questions])
    sort = request.args.get("sort", "facility")
    if sort not in ITEM_SORTS:
        sort = "facility"
    analysed = sorted(((q, stats_by_item[q.id]) for q in questions if q.id in stats_by_item), key=ITEM_SORTS[sort][1])
    hidden = 0 if request.args.get("all") else max(0, len(analysed) - ITEMS_PER_PAGE)
    return render_template(
        "instructor/items.html", school_class=school_class, analysed=analysed[: len(analysed) - hidden],
        hidden=hidden, sort=sort, sort_label=ITEM_SORTS[sort][0],
        sorts=[(key, label) for key, (label, _) in ITEM_SORTS.items()], modules=modules,
        module_filter=module_filter, type_labels=TYPE_LABELS,
        unattempted=[q for q in questions if q.id not in stats_by_item],
    )


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
    """One student: their progress page as they see it, plus their recent answers."""
    school_class = own_class_or_404(class_id)
    user = enrolled_student_or_404(class_id, user_id)
    context = progress_context(user.id, utcnow())
    return render_template("instructor/student.html", school_class=school_class, student=user,
                           answers=recent_answers(user.id), item_label=item_label, **context)
