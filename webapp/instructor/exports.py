"""CSV exports of a class: progress (one row per student), item analysis (one row per item), unsafe picks (one row each)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Iterable, Sequence

from flask import Response
from flask.typing import ResponseReturnValue

from webapp.content import get_bank, item_label
from webapp.db import get_session
from webapp.instructor import analytics, bp
from webapp.instructor.access import instructor_required, own_class_or_404
from webapp.instructor.dashboard import class_items, class_rows
from webapp.instructor.items import item_analysis
from webapp.instructor.unsafe_views import named_picks, option_text
from webapp.models import utcnow
from webapp.zones.clock import zone_of

PROGRESS_HEADER = ["student", "email", "status", "reasons", "last_active", "reviews_7d", "items_met", "items_expected_by_now",
                   "items_total", "retention_30d", "retention_reviews", "due_now", "exam_day_recall_of_items_met",
                   "coverage", "safety_items_met", "exam_day_safety_recall_of_items_met", "unsafe_picks",
                   "items_still_unsafe"]
UNSAFE_HEADER = ["student", "email", "item_id", "question", "option_id", "option", "picked_at", "answered_safely_since",
                 "still_unsafe"]
ITEMS_HEADER = ["item_id", "module", "type", "safety_critical", "attempts", "first_attempts", "facility",
                "discrimination", "mean_fsrs_difficulty", "mean_stability_days", "option_counts", "stem"]


def _csv(rows: Iterable[Sequence[object]], header: Sequence[str], filename: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _num(value: float | None, digits: int = 3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _safe_text(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection).
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


def _when(moment: dt.datetime | None, zone: str) -> str:
    return "" if moment is None else moment.astimezone(zone_of(zone)).isoformat(timespec="seconds")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "class"


@bp.get("/classes/<int:class_id>/export/progress.csv")
@instructor_required
def export_progress(class_id: int) -> ResponseReturnValue:
    """Progress CSV: one row per student, the overview's columns."""
    school_class = own_class_or_404(class_id)
    _, rows = class_rows(school_class, utcnow())
    zone = school_class.timezone
    return _csv(
        ([_safe_text(r.name), _safe_text(r.email), r.status, "; ".join(flag.words for flag in r.flags),
          _when(r.last_active, zone), r.reviews_7d, r.seen, r.expected, r.total, _num(r.retention_30d),
          r.retention_reviews, r.due_now, _num(r.exam_recall), _num(r.coverage), r.safety_seen,
          _num(r.safety_recall), r.unsafe_picks, r.still_unsafe] for r in rows),
        PROGRESS_HEADER, f"{_slug(school_class.name)}-progress.csv",
    )


@bp.get("/classes/<int:class_id>/export/unsafe.csv")
@instructor_required
def export_unsafe(class_id: int) -> ResponseReturnValue:
    """Unsafe-answers CSV: one row per unsafe option picked, times in the class's zone."""
    school_class = own_class_or_404(class_id)
    emails = {uid: email for uid, _, email in analytics.members(get_session(), class_id)}
    zone = school_class.timezone
    return _csv(
        ([_safe_text(name), _safe_text(emails[pick.user_id]), pick.item_id,
          _safe_text(item_label(question)) if question else "", pick.option_id,
          _safe_text(option_text(question, pick.option_id)), _when(pick.picked_at, zone),
          _when(pick.safe_since, zone), int(pick.still_unsafe)]
         for pick, name, question in named_picks(class_id)),
        UNSAFE_HEADER, f"{_slug(school_class.name)}-unsafe-answers.csv",
    )


@bp.get("/classes/<int:class_id>/export/items.csv")
@instructor_required
def export_items(class_id: int) -> ResponseReturnValue:
    """Item-analysis CSV: one row per item of the class's modules."""
    school_class = own_class_or_404(class_id)
    questions = class_items(get_bank(), school_class)
    users = [uid for uid, _, _ in analytics.members(get_session(), class_id)]
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
            options, _safe_text(item_label(question)),
        ])
    return _csv(rows, ITEMS_HEADER, f"{_slug(school_class.name)}-items.csv")
