"""A learner's study state read from the database, shaped for `quizzes.planner`.

Days are UTC days: "today" for the new-card limit and the streak starts at
midnight UTC, the same for every learner of a class.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from quizzes.planner import Limits, Plan, plan_next
from webapp.classes import StudySettings
from webapp.models import ItemState, Review


@dataclass(frozen=True)
class Scope:
    """What the learner asked to study: everything, one module, or one lesson."""

    module: str | None = None
    lesson: str | None = None

    def query(self) -> dict[str, str]:
        """URL query arguments that keep this scope across pages."""
        return {k: v for k, v in (("module", self.module), ("lesson", self.lesson)) if v}


def start_of_day(now: dt.datetime) -> dt.datetime:
    """Midnight UTC of `now`'s day."""
    return now.astimezone(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def load_cards(session: Session, user_id: int, bank: Bank) -> dict[str, dict[str, Any]]:
    """The learner's fsrs cards of items still in the bank (retired items are not studied)."""
    rows = session.execute(select(ItemState.item_id, ItemState.card).where(ItemState.user_id == user_id))
    return {item_id: card for item_id, card in rows if item_id in bank}


def new_seen_today(session: Session, user_id: int, now: dt.datetime) -> int:
    """How many items the learner met for the first time today."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Review)
            .where(Review.user_id == user_id, Review.state_before == 0, Review.reviewed_at >= start_of_day(now))
        )
        or 0
    )


def last_item(session: Session, user_id: int) -> str | None:
    """The item answered last, so the planner does not show it twice in a row."""
    return session.scalar(
        select(Review.item_id).where(Review.user_id == user_id).order_by(Review.reviewed_at.desc(), Review.id.desc()).limit(1)
    )


def limits_for(settings: StudySettings, scope: Scope) -> Limits:
    """Planner limits: the class's new limit, and the scope (or else the class's modules)."""
    if scope.lesson:
        return Limits(new_per_day=settings.new_per_day, lesson=scope.lesson)
    modules = frozenset({scope.module}) if scope.module else settings.modules
    return Limits(new_per_day=settings.new_per_day, modules=modules)


def plan(session: Session, user_id: int, bank: Bank, settings: StudySettings, scope: Scope, now: dt.datetime) -> tuple[Plan, dict[str, dict[str, Any]]]:
    """The next question and the counts, with the cards they were planned from."""
    cards = load_cards(session, user_id, bank)
    result = plan_next(
        cards, bank, limits_for(settings, scope), now,
        new_seen_today=new_seen_today(session, user_id, now), last_item=last_item(session, user_id),
    )
    return result, cards


def next_due(cards: dict[str, dict[str, Any]], item_ids: set[str] | None = None) -> dt.datetime | None:
    """The earliest due time among `cards` (optionally only `item_ids`)."""
    dues = [
        dt.datetime.fromisoformat(card["due"])
        for item_id, card in cards.items()
        if card.get("due") and (item_ids is None or item_id in item_ids)
    ]
    return min(dues) if dues else None
