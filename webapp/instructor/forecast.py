"""The exam-day forecast: for the items met, predicted recall on the exam; separately, coverage.

Two figures, never mixed: coverage = items met / items in the class's modules;
recall = mean predicted recall on exam day (FSRS forgetting curve, today's
schedule, no more study) of the items met. An item not met yet lowers coverage,
not recall, so three weeks into a course the recall still says something.
Grouped per student, per module, per endangerment site and for the
safety-critical items. "Projected" replays the schedule forward with
`quizzes.planner.keep_pace`: what exam day looks like if, from today, the
student studies daily, remembers what falls due and meets new items at the
pace that covers the rest by the exam (`catch_up_pace`, capped at the class's
new-item limit).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from quizzes.planner import Limits, keep_pace
from quizzes.scheduling import recall_after, retention_for
from webapp.platform.models import ItemState, SchoolClass
from webapp.records.stats import load_cards


@dataclass(frozen=True)
class Forecast:
    """Coverage and exam-day recall of one group of items (for one student or summed over a class)."""

    met: int
    total: int
    recall_sum: float

    @property
    def coverage(self) -> float:
        """Items met out of the items there are."""
        return self.met / self.total if self.total else 0.0

    @property
    def recall(self) -> float | None:
        """Mean predicted exam-day recall of the items met (None when none met)."""
        return self.recall_sum / self.met if self.met else None


def _aware(value: Any) -> dt.datetime:
    moment: dt.datetime = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment.astimezone(dt.timezone.utc)


def recall_on(stability: float, last_review: dt.datetime, exam: dt.datetime) -> float:
    """Predicted recall at `exam` of a memory reviewed at `last_review` (fractional days, as the SQL figure)."""
    return recall_after(stability, (exam - last_review).total_seconds() / 86400.0)


def item_recalls(session: Session, users: Sequence[int], item_ids: Sequence[str],
                 exam: dt.datetime) -> dict[tuple[int, str], float]:
    """(student, item) -> predicted recall at `exam`, for every item met among `item_ids`."""
    if not users:
        return {}
    wanted = set(item_ids)
    result = {}
    for uid, item, stability, last in session.execute(
        select(ItemState.user_id, ItemState.item_id, ItemState.stability, ItemState.last_review)
        .where(ItemState.user_id.in_(list(users)), ItemState.stability.is_not(None), ItemState.last_review.is_not(None))
    ):
        if item in wanted and stability is not None and last is not None:
            result[(int(uid), item)] = recall_on(float(stability), _aware(last), exam)
    return result


def due_before(session: Session, users: Sequence[int], item_ids: Sequence[str],
               exam: dt.datetime) -> set[tuple[int, str]]:
    """(student, item) pairs met among `item_ids` that fall due before `exam`: reviewed again before it."""
    if not users:
        return set()
    wanted = set(item_ids)
    return {(int(uid), item) for uid, item in session.execute(
        select(ItemState.user_id, ItemState.item_id)
        .where(ItemState.user_id.in_(list(users)), ItemState.due < exam)
    ) if item in wanted}


def by_group(recalls: Mapping[tuple[int, str], float], users: Sequence[int],
             groups: Mapping[str, Sequence[str]]) -> dict[str, Forecast]:
    """Group -> forecast summed over `users` (total = items x students)."""
    result = {}
    for name, items in groups.items():
        values = [recalls[(uid, item)] for uid in users for item in items if (uid, item) in recalls]
        result[name] = Forecast(len(values), len(items) * len(users), sum(values))
    return result


def by_student(recalls: Mapping[tuple[int, str], float], users: Sequence[int],
               items: Sequence[str]) -> dict[int, Forecast]:
    """Student -> forecast over `items`."""
    return {uid: by_group(recalls, [uid], {"": items})[""] for uid in users}


def catch_up_pace(remaining: int, new_limit: int, now: dt.datetime, exam: dt.datetime) -> int:
    """New items a day that meet the `remaining` items by the exam (at least 1, at most the class's limit)."""
    days = max(1, math.ceil((exam - now).total_seconds() / 86400.0))
    return max(1, min(new_limit, math.ceil(remaining / days)))


def projected(session: Session, user_id: int, bank: Bank, school_class: SchoolClass, item_ids: Sequence[str],
              now: dt.datetime, exam: dt.datetime, safety_retention: float) -> dict[str, Forecast]:
    """Forecasts ("all" and "safety") if the student keeps to the pace from `now` until the exam."""
    cards = load_cards(session, user_id, bank)
    limits = Limits(new_per_day=catch_up_pace(len(item_ids) - sum(1 for item in item_ids if item in cards),
                                              school_class.daily_new_limit, now, exam),
                    modules=frozenset(school_class.modules) if school_class.modules else None)

    def retention(item_id: str) -> float:
        question = bank.get(item_id)
        desired = school_class.desired_retention
        return retention_for(question, desired, safety_retention) if question is not None else desired

    future = keep_pace(cards, bank, limits, now, exam, retention)
    recalls = {}
    for item in item_ids:
        card = future.get(item)
        if card and card.get("stability") and card.get("last_review"):
            recalls[(user_id, item)] = recall_on(float(card["stability"]), _aware(card["last_review"]), exam)
    safety = [item for item in item_ids if (q := bank.get(item)) is not None and q.safety_critical]
    return by_group(recalls, [user_id], {"all": list(item_ids), "safety": safety})
