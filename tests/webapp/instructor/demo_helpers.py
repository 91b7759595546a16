"""An oracle for the demo class: the instructor's Monday-morning answers, worked out from the tables alone.

Nothing here calls the dashboard's code: each figure is re-derived from raw
rows with the rules as the pages state them, so a test can compare what the
pages say with what the database holds.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import Engine, select

from quizzes.bank import Bank
from webapp.platform.models import Enrollment, ItemState, Review, SchoolClass, User


@dataclass
class DemoFacts:
    """What the instructor should be able to read off the pages."""

    flagged: dict[str, set[str]]  # student name -> kinds of flag (behind, inactive, retention)
    just_started: set[str]
    safety_facility: dict[str, tuple[float, int, int]]  # attempted safety item -> (facility, attempts, students)
    still_unsafe: set[tuple[str, str]]  # (student name, item id) whose latest answer picked an unsafe option
    forecast: dict[str, tuple[int, int, float | None]]  # name -> (met, total, mean exam-day recall of items met)
    # name -> (recent pace, needed pace, items met by the exam at the recent pace, verdict on coverage)
    projection: dict[str, tuple[float, float, int, str]]
    recall_on_the_day: dict[str, float | None]  # name -> projected exam-day recall at the recent pace
    verdict: dict[str, str]  # name -> the verdict on coverage and recall
    class_verdict: str  # the class's, each student's pace counted up to what they need


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def demo_facts(engine: Engine, bank: Bank, class_name: str, now: dt.datetime,
               safety_retention: float = 0.95) -> DemoFacts:
    """Everything in `DemoFacts` for the class called `class_name`, as of `now`."""
    decay = DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (-1 / decay) - 1
    with engine.connect() as db:
        school_class = db.execute(select(SchoolClass).where(SchoolClass.name == class_name)).one()
        modules = set(school_class.modules or [m.id for m in bank.modules])
        items = {q.id for q in bank.questions if q.module in modules}
        safety = {q.id for q in bank.questions if q.module in modules and q.safety_critical}
        people = db.execute(select(User.id, User.display_name, Enrollment.joined_at)
                            .join(Enrollment, Enrollment.user_id == User.id)
                            .where(Enrollment.class_id == school_class.id)).all()
        ids = [uid for uid, _, _ in people]
        reviews = db.execute(select(Review.user_id, Review.item_id, Review.reviewed_at, Review.result, Review.attempt,
                                    Review.rating, Review.state_before, Review.unsafe_chosen, Review.id)
                             .where(Review.user_id.in_(ids)).order_by(Review.reviewed_at, Review.id)).all()
        states = db.execute(select(ItemState.user_id, ItemState.item_id, ItemState.stability, ItemState.last_review)
                            .where(ItemState.user_id.in_(ids))).all()
        due_before_exam = {(uid, item) for uid, item, due in db.execute(
            select(ItemState.user_id, ItemState.item_id, ItemState.due).where(ItemState.user_id.in_(ids)))
            if _utc(due) < dt.datetime.combine(school_class.exam_date, dt.time(9), tzinfo=dt.timezone.utc)}
    names = {uid: name for uid, name, _ in people}
    created = _utc(school_class.created_at)
    exam = dt.datetime.combine(school_class.exam_date, dt.time(9), tzinfo=dt.timezone.utc)
    month_ago = now - dt.timedelta(days=30)
    days: dict[int, set[dt.date]] = {uid: set() for uid in ids}
    last: dict[int, dt.datetime] = {}
    learned: dict[int, list[bool]] = {uid: [] for uid in ids}
    for uid, _item, when, _result, _attempt, rating, before, _unsafe, _rid in reviews:
        when = _utc(when)
        last[uid] = max(last.get(uid, when), when)
        if when >= month_ago:
            days[uid].add(when.date())
            if before == 2:
                learned[uid].append(rating > 1)
    gaps = [(max(d) - min(d)).days / (len(d) - 1) for d in days.values() if len(d) >= 2]
    rhythm = statistics.median(gaps) if gaps else 1.0
    met = {uid: {item for u, item, *_ in states if u == uid and item in items} for uid in ids}
    fortnight = now - dt.timedelta(days=14)
    new_recent = {uid: {item for u, item, when, _r, attempt, *_ in reviews
                        if u == uid and attempt == 1 and item in items and _utc(when) >= fortnight} for uid in ids}
    days_left = (exam - now).total_seconds() / 86400
    limit = float(school_class.daily_new_limit)
    projection: dict[str, tuple[float, float, int, str]] = {}
    for uid, name, joined in people:
        started = max(_utc(joined), created)
        window = min(14.0, max(1.0, (now - started).total_seconds() / 86400))
        recent, needed = len(new_recent[uid]) / window, (len(items) - len(met[uid])) / days_left
        on_coverage = ("on track" if recent >= needed else
                       "will not finish" if needed > limit or recent < 0.75 * needed else "at risk")
        projection[name] = (recent, needed, min(len(items), len(met[uid]) + math.floor(recent * days_left + 1e-9)),
                            on_coverage)
    # Exam-day recall at the recent pace: the curve for an item the exam comes before it falls due; a due
    # item and each new one held at the student's pass rate on due reviews (20 or more), else at its target.
    desired = school_class.desired_retention
    safe = {q.id for q in bank.questions if q.safety_critical}
    recall_on_the_day: dict[str, float | None] = {}
    verdict: dict[str, str] = {}
    for uid, name, _joined in people:
        passes = learned[uid]
        observed = sum(passes) / len(passes) if len(passes) >= 20 else None
        values = []
        for u, item, stability, last_review in states:
            if u != uid or item not in items or not stability or last_review is None:
                continue
            if (uid, item) in due_before_exam:
                target = max(desired, safety_retention) if item in safe else desired
                values.append(target if observed is None else observed)
            else:
                values.append((1 + factor * (exam - _utc(last_review)).total_seconds() / 86400 / stability) ** -decay)
        values += [desired if observed is None else observed] * (projection[name][2] - len(met[uid]))
        on_the_day = sum(values) / len(values) if values else None
        recall_on_the_day[name] = on_the_day
        short = on_the_day is not None and round(on_the_day * 100) < round(desired * 100)
        verdict[name] = "at risk" if projection[name][3] == "on track" and short else projection[name][3]
    useful = sum(min(recent, needed) for recent, needed, _, _ in projection.values())
    class_needed = sum(needed for _, needed, _, _ in projection.values())
    weights = [(r, projection[name][2]) for name, r in recall_on_the_day.items() if r is not None]
    class_recall = sum(r * n for r, n in weights) / sum(n for _, n in weights)
    if useful >= class_needed:
        class_verdict = "at risk" if round(class_recall * 100) < round(desired * 100) else "on track"
    elif class_needed > limit * len(people) or useful < 0.75 * class_needed:
        class_verdict = "will not finish"
    else:
        class_verdict = "at risk"
    flagged: dict[str, set[str]] = {}
    just_started = set()
    for uid, name, joined in people:
        started = max(_utc(joined), created)
        if now - started < dt.timedelta(days=3):
            just_started.add(name)
            continue
        kinds = set()
        if projection[name][3] != "on track":
            kinds.add("behind")
        if (now - last.get(uid, started)).total_seconds() / 86400 > max(4.0, 3 * rhythm):
            kinds.add("inactive")
        passes = learned[uid]
        if len(passes) >= 20 and sum(passes) / len(passes) < 0.70:
            kinds.add("retention")
        if kinds:
            flagged[name] = kinds
    first: dict[str, list[bool]] = {}
    attempts: dict[str, int] = {}
    latest: dict[tuple[int, str], bool] = {}
    for uid, item, _when, result, attempt, _rating, _before, unsafe, _rid in reviews:
        attempts[item] = attempts.get(item, 0) + 1
        if attempt == 1:
            first.setdefault(item, []).append(result == "correct")
        latest[(uid, item)] = bool(unsafe)
    safety_facility = {item: (sum(first[item]) / len(first[item]), attempts[item], len(first[item]))
                       for item in safety if first.get(item)}
    forecast = {}
    for uid in ids:
        recalls = [(1 + factor * (exam - _utc(last_review)).total_seconds() / 86400 / stability) ** -decay
                   for u, item, stability, last_review in states if u == uid and item in items and stability]
        forecast[names[uid]] = (len(recalls), len(items), statistics.mean(recalls) if recalls else None)
    return DemoFacts(flagged, just_started, safety_facility,
                     {(names[uid], item) for (uid, item), unsafe in latest.items() if unsafe}, forecast,
                     projection, recall_on_the_day, verdict, class_verdict)
