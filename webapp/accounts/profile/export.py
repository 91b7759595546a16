"""Everything the app holds about a learner, as one JSON document they can download.

The account, the classes they are in, every answer they gave (with the options
chosen) and every item's memory state. Ids of other people are left out; the
class's instructor appears by display name only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User

FORMAT = "massage-safety-course/account-export/1"


def _when(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _classes(session: Session, user_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(SchoolClass.name, User.display_name, Enrollment.joined_at, SchoolClass.archived)
        .join(Enrollment, Enrollment.class_id == SchoolClass.id)
        .join(User, User.id == SchoolClass.instructor_id)
        .where(Enrollment.user_id == user_id)
        .order_by(Enrollment.joined_at)
    ).all()
    return [{"name": name, "instructor": teacher, "joined_at": _when(joined), "archived": archived}
            for name, teacher, joined, archived in rows]


def _reviews(session: Session, user_id: int) -> list[dict[str, Any]]:
    chosen: dict[int, list[str]] = {}
    for review_id, option_id in session.execute(
        select(ReviewChoice.review_id, ReviewChoice.option_id)
        .join(Review, Review.id == ReviewChoice.review_id)
        .where(Review.user_id == user_id)
        .order_by(ReviewChoice.review_id, ReviewChoice.option_id)
    ):
        chosen.setdefault(review_id, []).append(option_id)
    return [
        {
            "item_id": r.item_id, "reviewed_at": _when(r.reviewed_at), "response": r.response, "result": r.result,
            "score": r.score, "rating": r.rating, "automatic_rating": r.auto_rating, "response_ms": r.response_ms,
            "attempt": r.attempt, "state_before": r.state_before, "unsafe_chosen": r.unsafe_chosen,
            "options_chosen": chosen.get(r.id, []), "source": r.source, "question_type": r.question_type,
            "module": r.module, "card_before": r.card_before,
        }
        for r in session.scalars(select(Review).where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id))
    ]


def _states(session: Session, user_id: int) -> list[dict[str, Any]]:
    return [
        {
            "item_id": s.item_id, "due": _when(s.due), "state": s.state, "stability": s.stability,
            "difficulty": s.difficulty, "last_review": _when(s.last_review), "reps": s.reps, "lapses": s.lapses,
            "module": s.module, "card": s.card,
        }
        for s in session.scalars(select(ItemState).where(ItemState.user_id == user_id).order_by(ItemState.item_id))
    ]


def account_export(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    """The learner's complete record as JSON-ready data."""
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "account": {"email": user.email, "display_name": user.display_name, "role": user.role,
                    "created_at": _when(user.created_at)},
        "classes": _classes(session, user.id),
        "reviews": _reviews(session, user.id),
        "item_states": _states(session, user.id),
    }
