"""Corrections of a stored answer: the learner's own rating instead of the automatic one, and undo.

Both change only the learner's latest review (of the item, for a rating; of all
their answers, for undo), since later reviews were scheduled from it:
`rerateable` and `undoable` are those rules, for the pages and for the writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from quizzes.questions import Question
from quizzes.scheduling import load_card, retention_for, review
from webapp.platform.models import ItemState, Review, ReviewChoice, User
from webapp.records.answers import set_columns, user_id_of
from webapp.records.rollups import pair_rollups
from webapp.records.scoring import ReviewError, is_lapse, schedule_values


def rerateable(session: Session, review: Review) -> bool:
    """Whether a review's rating may still change: it is the learner's latest review of its item."""
    latest = session.scalar(
        select(func.max(Review.id)).where(Review.user_id == review.user_id, Review.item_id == review.item_id)
    )
    return latest == review.id


def override_rating(
    session: Session,
    user: User | int,
    review_id: int,
    question: Question,
    rating: int,
    desired_retention: float,
    safety_retention: float,
) -> Review:
    """Replace a review's rating (the learner's Again/Hard/Good/Easy) and re-schedule; commits.

    The item is re-scheduled from the card stored before that review, so the
    result is what the new rating would have given in the first place. Only the
    learner's latest review of the item may change: later reviews built on it.

    Raises:
        ReviewError: the review is not the learner's, not the latest of its item,
            or the rating is not 1-4.
    """
    user_id = user_id_of(user)
    if rating not in (1, 2, 3, 4):
        raise ReviewError("Choose Again, Hard, Good or Easy.")
    row = session.scalar(select(Review).where(Review.id == review_id, Review.user_id == user_id))
    if row is None or row.item_id != question.id:
        session.rollback()
        raise ReviewError("That answer was not found.")
    if not rerateable(session, row):
        session.rollback()
        raise ReviewError("You have answered this question again since, so this rating can no longer change.")
    if row.rating == rating:
        session.rollback()
        return row
    state = session.scalar(
        select(ItemState).where(ItemState.user_id == user_id, ItemState.item_id == row.item_id).with_for_update()
    )
    if state is None:  # cannot happen while the review exists; refuse rather than guess
        session.rollback()
        raise ReviewError("That answer was not found.")
    retention = retention_for(question, desired_retention, safety_retention)
    reviewed = review(row.card_before, rating, row.reviewed_at, retention)
    set_columns(state, schedule_values(reviewed, question.module, row.reviewed_at))
    state.lapses = (state.lapses or 0) - int(is_lapse(row.rating, row.state_before)) + int(is_lapse(rating, row.state_before))
    row.rating = rating
    session.commit()
    return row


# How long after answering the learner may take the answer back (Anki's undo, kept short:
# later answers are planned from this one, and instructors read the day's figures).
UNDO_WINDOW = dt.timedelta(minutes=10)


def undoable(session: Session, user_id: int, review: Review, now: dt.datetime) -> bool:
    """Whether `review` may still be undone: the learner's latest answer, inside the window, from the web."""
    if review.source != "web" or now - review.reviewed_at > UNDO_WINDOW:
        return False
    latest = session.scalar(
        select(Review.id).where(Review.user_id == user_id).order_by(Review.reviewed_at.desc(), Review.id.desc()).limit(1)
    )
    return latest == review.id


def undo_answer(session: Session, user: User | int, review_id: int, now: dt.datetime) -> str:
    """Take back the learner's last answer: the review goes, the item is as it was before; commits.

    The item state is rebuilt from what the review kept of it (`card_before`,
    `state_before`, its rating for the lapse count), so it equals the state
    before the answer; the review and its chosen options are deleted, so no
    figure counts the answer. Returns the item id.

    Raises:
        ReviewError: the review is not the learner's, not their latest, too old, or already undone.
    """
    user_id = user_id_of(user)
    row = session.scalar(select(Review).where(Review.id == review_id, Review.user_id == user_id).with_for_update())
    if row is None:
        session.rollback()
        raise ReviewError("That answer was already undone, or is not yours.")
    if not undoable(session, user_id, row, now):
        session.rollback()
        raise ReviewError("Only your last answer can be undone, within 10 minutes of giving it.")
    state = session.scalar(
        select(ItemState).where(ItemState.user_id == user_id, ItemState.item_id == row.item_id).with_for_update()
    )
    if state is not None:
        if row.card_before is None:
            session.delete(state)
        else:
            set_columns(state, _restored_values(session, row, state))
    item_id = row.item_id
    # Deleted explicitly: SQLite enforces ON DELETE CASCADE only with foreign keys switched on.
    session.execute(delete(ReviewChoice).where(ReviewChoice.review_id == row.id))
    session.delete(row)
    session.commit()
    return item_id


def _restored_values(session: Session, row: Review, state: ItemState) -> dict[str, Any]:
    """The item state's columns as they were before `row` (whose card_before is set)."""
    card = load_card(row.card_before or {})
    previous = session.scalar(
        select(func.max(Review.reviewed_at)).where(
            Review.user_id == row.user_id, Review.item_id == row.item_id, Review.id != row.id
        )
    )
    return {
        "card": dict(row.card_before or {}),
        "due": card.due,
        "state": row.state_before,
        "stability": card.stability,
        "difficulty": card.difficulty,
        "last_review": card.last_review or previous,
        "reps": max(0, (state.reps or 0) - 1),
        "lapses": max(0, (state.lapses or 0) - int(is_lapse(row.rating, row.state_before))),
        **pair_rollups(session, row.user_id, row.item_id, leaving_out=row.id),
    }
