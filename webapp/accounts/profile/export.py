"""Everything the app holds about a learner, as one JSON document they can download.

The account, the classes they are in, every answer they gave (with the options
chosen) and every item's memory state. Ids of other people are left out; the
class's instructor appears by display name only.

`export_chunks` writes the document piece by piece, reading the answers a
`CHUNK` at a time (with the options chosen in those answers), so the download
streams and the worker holds one chunk, not the learner's whole history;
`account_export` is the same document as one dict, for code that wants it.
The route limits how often each learner may download it
(`ACCOUNT_EXPORT_LIMIT`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User

FORMAT = "massage-safety-course/account-export/1"
CHUNK = 500  # answers read, and options looked up, at a time
REVIEW_COLUMNS = (Review.id, Review.item_id, Review.reviewed_at, Review.response, Review.result, Review.score,
                  Review.rating, Review.auto_rating, Review.response_ms, Review.attempt, Review.state_before,
                  Review.unsafe_chosen, Review.source, Review.question_type, Review.module, Review.card_before)


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


def _review_chunks(session: Session, user_id: int) -> Iterator[list[dict[str, Any]]]:
    """The learner's answers in time order, `CHUNK` at a time (a server-side cursor on PostgreSQL)."""
    rows = session.execute(
        select(*REVIEW_COLUMNS).where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id)
        .execution_options(yield_per=CHUNK))
    for part in rows.partitions():
        yield _with_choices(session, part)


def _with_choices(session: Session, part: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    chosen: dict[int, list[str]] = {}
    for review_id, option_id in session.execute(
        select(ReviewChoice.review_id, ReviewChoice.option_id)
        .where(ReviewChoice.review_id.in_([r.id for r in part]))
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
        for r in part
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


def _head(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(),
        "account": {"email": user.email, "display_name": user.display_name, "role": user.role,
                    "created_at": _when(user.created_at), "email_confirmed_at": _when(user.email_verified_at),
                    "emails": {"study_reminder_hour": user.reminder_hour, "weekly_digest": user.digest_emails,
                               "report_replies": user.reply_emails}},
        "classes": _classes(session, user.id),
    }


def account_export(session: Session, user: User, now: dt.datetime) -> dict[str, Any]:
    """The learner's complete record as JSON-ready data (in memory: `export_chunks` streams it)."""
    return {**_head(session, user, now),
            "reviews": [review for chunk in _review_chunks(session, user.id) for review in chunk],
            "item_states": _states(session, user.id)}


def export_chunks(session: Session, user: User, now: dt.datetime) -> Iterator[str]:
    """The same document as `account_export`, as JSON text in pieces of at most `CHUNK` answers."""
    user_id = user.id
    yield "{\n"
    for key, value in _head(session, user, now).items():
        yield f" {json.dumps(key)}: {_dumps(value)},\n"
    yield ' "reviews": ['
    separator = "\n  "
    for chunk in _review_chunks(session, user_id):
        yield separator + ",\n  ".join(_dumps(review) for review in chunk)
        separator = ",\n  "
    yield '\n ],\n "item_states": ['
    yield ",".join(f"\n  {_dumps(state)}" for state in _states(session, user_id))
    yield "\n ]\n}\n"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
