"""What to study next: the learner's scope and study state, shaped for `quizzes.planner`.

The scope rules live here once: `parse_scope` reads what the learner asked for
(everything, one module, one lesson), `limits_for` turns it and the class
settings into planner limits, and `quizzes.planner.scope_items` says which items
that covers.

Days are the learner's own: "today" for the new-card limit starts at midnight
in the zone stored on the user (`users.timezone`, from their browser; UTC
until it is known), by the one rule in `webapp.platform.clock`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Mapping

from sqlalchemy import JSON, Select, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from course.models import Course
from quizzes.bank import Bank
from quizzes.planner import DueCard, Limits, Plan, plan_from, scope_items
from webapp.classes.assignments import priority_for
from webapp.classes.settings import StudySettings
from webapp.platform.clock import local_midnight
from webapp.platform.models import ItemState, Review, User


@dataclass(frozen=True)
class Scope:
    """What the learner asked to study: everything, one module, or one lesson."""

    module: str | None = None
    lesson: str | None = None

    def query(self) -> dict[str, Any]:
        """URL query arguments that keep this scope across pages."""
        return {k: v for k, v in (("module", self.module), ("lesson", self.lesson)) if v}

    def title(self, course: Course) -> str | None:
        """The lesson's or module's title (None for everything)."""
        if self.lesson:
            return course.lesson(self.lesson).title
        if self.module:
            return course.module(self.module).title
        return None


def parse_scope(course: Course, args: Mapping[str, str]) -> tuple[Scope, str | None]:
    """The requested scope, or an empty one and a message when it names nothing."""
    module, lesson = (args.get("module") or "").strip(), (args.get("lesson") or "").strip()
    if lesson:
        if not any(item.id == lesson for item in course.lessons):
            return Scope(), "There is no lesson with that name. Here is your general study instead."
        return Scope(lesson=lesson), None
    if module:
        if not any(item.id == module for item in course.modules):
            return Scope(), "There is no module with that name. Here is your general study instead."
        return Scope(module=module), None
    return Scope(), None


def start_of_day(now: dt.datetime, zone: str | None = None) -> dt.datetime:
    """Midnight of `now`'s day in the learner's `zone` (UTC when None), as a UTC time."""
    return local_midnight(now, zone)


def user_zone(session: Session, user_id: int) -> str | None:
    """The zone stored on the user (None until their browser has reported one)."""
    user = session.get(User, user_id)
    return user.timezone if user is not None else None


_REVIEWS = Review.__table__.c
_NEW_SINCE = select(func.count()).where(
    _REVIEWS.user_id == bindparam("user_id"), _REVIEWS.state_before == 0, _REVIEWS.reviewed_at >= bindparam("since"))
_LAST_ITEM = (select(_REVIEWS.item_id).where(_REVIEWS.user_id == bindparam("user_id"))
              .order_by(_REVIEWS.reviewed_at.desc(), _REVIEWS.id.desc()).limit(1))


@lru_cache(maxsize=4)
def _today_and_last(dialect: str) -> Select[tuple[int, str | None, Any]]:
    """Today's new items, the item answered last (never shown twice in a row) and the items answered
    today (their siblings wait until tomorrow), in one round trip; the list is gathered as JSON."""
    gather = func.json_agg if dialect == "postgresql" else func.json_group_array
    answered = select(type_coerce(gather(_REVIEWS.item_id), JSON)).where(
        _REVIEWS.user_id == bindparam("user_id"), _REVIEWS.reviewed_at >= bindparam("since"))
    return select(_NEW_SINCE.scalar_subquery(), _LAST_ITEM.scalar_subquery(), answered.scalar_subquery())


def new_seen_today(session: Session, user_id: int, now: dt.datetime, zone: str | None) -> int:
    """How many items the learner met for the first time today, in their `zone` (None: UTC, until the browser says).

    `zone` has no default: every caller must count the same day the planner does.
    """
    return int(session.execute(_NEW_SINCE, {"user_id": user_id, "since": start_of_day(now, zone)}).scalar() or 0)


def limits_for(settings: StudySettings, scope: Scope) -> Limits:
    """Planner limits: the class's new limit, and the scope (or else the class's modules)."""
    if scope.lesson:
        return Limits(new_per_day=settings.new_per_day, lesson=scope.lesson)
    modules = frozenset({scope.module}) if scope.module else settings.modules
    return Limits(new_per_day=settings.new_per_day, modules=modules)


# The planner reads every seen id and the due cards alone, from their own columns:
# a page never decodes a card's JSON, and converts the due time of the due cards
# only. Two statements built once (fewer rows through the ORM's result handling
# than one statement over every card, and no statement to build per request).
_STATES = ItemState.__table__.c
_SEEN = select(_STATES.item_id).where(_STATES.user_id == bindparam("user_id"))
_DUE = select(_STATES.item_id, _STATES.due, _STATES.state, _STATES.stability).where(
    _STATES.user_id == bindparam("user_id"), _STATES.due <= bindparam("now"))


def study_cards(session: Session, user_id: int, bank: Bank, now: dt.datetime) -> tuple[frozenset[str], dict[str, DueCard]]:
    """The learner's seen item ids (still in the bank) and their cards due at or before `now`."""
    seen = bank.ids.intersection(session.execute(_SEEN, {"user_id": user_id}).scalars().all())
    due = {
        item_id: DueCard(when, state, stability)
        for item_id, when, state, stability in session.execute(_DUE, {"user_id": user_id, "now": now}).all()
        if item_id in seen
    }
    return seen, due


def plan(session: Session, user_id: int, bank: Bank, settings: StudySettings, scope: Scope, now: dt.datetime) -> Plan:
    """The signed-in learner's next question and counts ("today" in their zone; assigned work first)."""
    seen, due = study_cards(session, user_id, bank, now)
    since = start_of_day(now, user_zone(session, user_id))
    statement = _today_and_last(session.get_bind().dialect.name)
    new_today, last, answered = session.execute(statement, {"user_id": user_id, "since": since}).one()
    limits = replace(limits_for(settings, scope), priority=priority_for(session, bank, user_id, now))
    return plan_from(seen, due, bank, limits, now, new_seen_today=int(new_today or 0), last_item=last,
                     answered_today=frozenset(answered or ()))


def items_in_scope(bank: Bank, settings: StudySettings, scope: Scope) -> frozenset[str]:
    """The item ids this scope and these settings let the learner study."""
    return scope_items(bank, limits_for(settings, scope))
