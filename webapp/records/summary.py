"""What a learner's progress page shows, shaped for the template (the instructor's student page reuses it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from markupsafe import Markup

from webapp.platform.clock import local_date
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.records import stats


def progress_context(user_id: int, now: dt.datetime, zone: str | None = None) -> dict[str, Any]:
    """Everything the progress page shows for one learner, with days in `zone` (the instructor's view reuses it)."""
    session, bank = get_session(), get_bank()
    mastery = stats.module_mastery(session, user_id, now, bank=bank)
    objectives = stats.objective_mastery(session, user_id, now, bank=bank)
    per_day = stats.reviews_per_day(session, user_id, now, days=90, zone=zone)
    forecast = stats.due_forecast(session, user_id, now, days=14, bank=bank, zone=zone)
    today = local_date(now, zone)
    forecast_days = [today + dt.timedelta(days=i) for i in range(len(forecast))]
    weakest = [(item, bank.get(item.item_id)) for item in stats.weakest_items(session, user_id, now, limit=8, bank=bank)]
    context: dict[str, Any] = {
        "mastery": mastery,
        "objectives": [(m, [o for o in objectives if o.module_id == m.module_id]) for m in mastery],
        "retention": stats.true_retention(session, user_id, now, days=30),
        "per_day": per_day,
        "forecast": list(zip(forecast_days, forecast)),
        "streak": stats.streak(session, user_id, now, zone),
        "weakest": [(item, question) for item, question in weakest if item.lapses or item.correct < item.reviews],
        "retired": stats.retired_items(session, user_id, now, bank=bank),
        "totals": stats.totals(session, user_id, now, bank=bank, zone=zone),
        "zone": zone,
        "modules": {module.id: module.title for module in bank.modules},
    }
    session.commit()  # end the read transaction
    context["chart_data"] = chart_json(context["per_day"], context["forecast"])
    return context


def chart_json(per_day: list[stats.DayCount], forecast: list[tuple[dt.date, int]]) -> Markup:
    """JSON for static/progress.js (one learner or a class); `<` escaped so it is safe in a script tag."""
    data = {
        "perDay": {
            "labels": [d.day.strftime("%-d %b") for d in per_day],
            "reviews": [d.reviews for d in per_day],
            "correct": [d.correct for d in per_day],
        },
        "forecast": {"labels": [day.strftime("%a %-d") for day, _ in forecast], "values": [n for _, n in forecast]},
    }
    return Markup(json.dumps(data).replace("<", "\\u003c"))  # JSON with "<" escaped, for a JSON data block  # nosec B704
