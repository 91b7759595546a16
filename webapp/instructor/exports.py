"""CSV exports of a class: progress (one row per student), item analysis (one row per item), unsafe picks (one row each)."""

from __future__ import annotations

import datetime as dt

from flask.typing import ResponseReturnValue

from webapp.classes import roster
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.instructor import bp
from webapp.instructor.dashboard import class_items, class_rows
from webapp.instructor.unsafe_views import named_picks, option_text
from webapp.platform.clock import zone_of
from webapp.platform.content import get_bank, item_label
from webapp.platform.csvfile import csv_download, filename_slug, safe_cell
from webapp.platform.db import get_session
from webapp.platform.models import utcnow
from webapp.records.items import item_analysis

PROGRESS_HEADER = ["student", "email", "status", "reasons", "last_active", "reviews_7d", "items_met", "items_expected_by_now",
                   "items_total", "retention_30d", "retention_reviews", "due_now", "exam_day_recall_of_items_met",
                   "coverage", "safety_items_met", "exam_day_safety_recall_of_items_met", "unsafe_picks",
                   "items_still_unsafe"]
UNSAFE_HEADER = ["student", "email", "item_id", "question", "option_id", "option", "picked_at", "answered_safely_since",
                 "still_unsafe"]
ITEMS_HEADER = ["item_id", "module", "type", "safety_critical", "attempts", "first_attempts", "facility",
                "discrimination", "mean_fsrs_difficulty", "mean_stability_days", "option_counts", "stem"]


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _when(moment: dt.datetime | None, zone: str) -> str:
    return "" if moment is None else moment.astimezone(zone_of(zone)).isoformat(timespec="seconds")


@bp.get("/classes/<int:class_id>/export/progress.csv")
@instructor_required
def export_progress(class_id: int) -> ResponseReturnValue:
    """Progress CSV: one row per student, the overview's columns."""
    school_class = own_class_or_404(class_id)
    _, rows = class_rows(school_class, utcnow())
    zone = school_class.timezone
    return csv_download(
        ([safe_cell(r.name), safe_cell(r.email), r.status, "; ".join(flag.words for flag in r.flags),
          _when(r.last_active, zone), r.reviews_7d, r.seen, r.expected, r.total, _num(r.retention_30d),
          r.retention_reviews, r.due_now, _num(r.exam_recall), _num(r.coverage), r.safety_seen,
          _num(r.safety_recall), r.unsafe_picks, r.still_unsafe] for r in rows),
        PROGRESS_HEADER, f"{filename_slug(school_class.name)}-progress.csv",
    )


@bp.get("/classes/<int:class_id>/export/unsafe.csv")
@instructor_required
def export_unsafe(class_id: int) -> ResponseReturnValue:
    """Unsafe-answers CSV: one row per unsafe option picked, times in the class's zone."""
    school_class = own_class_or_404(class_id)
    emails = {uid: email for uid, _, email in roster.members(get_session(), class_id)}
    zone = school_class.timezone
    return csv_download(
        ([safe_cell(name), safe_cell(emails[pick.user_id]), pick.item_id,
          safe_cell(item_label(question)) if question else "", pick.option_id,
          safe_cell(option_text(question, pick.option_id)), _when(pick.picked_at, zone),
          _when(pick.safe_since, zone), int(pick.still_unsafe)]
         for pick, name, question in named_picks(class_id)),
        UNSAFE_HEADER, f"{filename_slug(school_class.name)}-unsafe-answers.csv",
    )


@bp.get("/classes/<int:class_id>/export/items.csv")
@instructor_required
def export_items(class_id: int) -> ResponseReturnValue:
    """Item-analysis CSV: one row per item of the class's modules."""
    school_class = own_class_or_404(class_id)
    questions = class_items(get_bank(), school_class)
    users = [uid for uid, _, _ in roster.members(get_session(), class_id)]
    stats = item_analysis(get_session(), users, [q.id for q in questions])
    rows = []
    for question in questions:
        stat = stats.get(question.id)
        options = "; ".join(f"{option}={s.count}" for option, s in sorted(stat.options.items())) if stat else ""
        rows.append([
            question.id, question.module, question.type, int(question.safety_critical),
            stat.attempts if stat else 0, stat.first_attempts if stat else 0,
            _num(stat.facility) if stat else "", _num(stat.discrimination) if stat else "",
            _num(stat.mean_difficulty, 2) if stat else "", _num(stat.mean_stability, 1) if stat else "",
            options, safe_cell(item_label(question)),
        ])
    return csv_download(rows, ITEMS_HEADER, f"{filename_slug(school_class.name)}-items.csv")
