"""CSV exports of a class: progress (one row per student) and item analysis (one row per item)."""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable, Sequence

from flask import Response
from flask.typing import ResponseReturnValue

from webapp.content import get_bank
from webapp.db import get_session
from webapp.instructor import analytics, bp
from webapp.instructor.access import instructor_required, own_class_or_404
from webapp.instructor.dashboard import class_items
from webapp.instructor.items import item_analysis
from webapp.models import utcnow

PROGRESS_HEADER = ["student", "email", "last_active_utc", "reviews_7d", "items_seen", "items_total", "mastery",
                   "retention_30d", "due_now", "exam_day_safety_recall", "unsafe_picks", "at_risk"]
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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "class"


@bp.get("/classes/<int:class_id>/export/progress.csv")
@instructor_required
def export_progress(class_id: int) -> ResponseReturnValue:
    """Progress CSV: one row per student, the overview's columns."""
    school_class = own_class_or_404(class_id)
    items = class_items(get_bank(), school_class)
    rows = analytics.student_rows(get_session(), class_id, [q.id for q in items],
                                  [q.id for q in items if q.safety_critical], utcnow(), school_class.exam_date)
    return _csv(
        ([_safe_text(r.name), _safe_text(r.email), r.last_active.isoformat() if r.last_active else "", r.reviews_7d,
          r.seen, r.total, _num(r.mastery), _num(r.retention_30d), r.due_now, _num(r.exam_recall), r.unsafe_picks,
          "; ".join(r.at_risk)] for r in rows),
        PROGRESS_HEADER, f"{_slug(school_class.name)}-progress.csv",
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
            options, _safe_text(question.stem),
        ])
    return _csv(rows, ITEMS_HEADER, f"{_slug(school_class.name)}-items.csv")
