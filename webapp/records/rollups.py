"""An item state's rollups of its reviews: the one rule, for every writer and for `verify`.

The instructor's class figures (first-attempt facility and discrimination,
unsafe answers, items still answered unsafely) are GROUP BYs over item states,
so each item state carries, besides its FSRS card:

- `first_correct`: whether the learner's first attempt was graded correct
  (None until the item is answered);
- `unsafe_picks`: how many answers of the item chose an option marked unsafe;
- `last_unsafe`: whether the latest answer did ("still unsafe").

`reps` already counts the answers, so it is the attempt count. `next_rollups`
moves the three on by one answer; every writer calls it in the same
transaction as the review it writes (`record_answer`, the Anki replay, the
synthetic school), and `rollups_of` folds it over a whole history (undo, the
verifier). "Latest" is by time, then id, as the instructor pages read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.platform.models import Review

ROLLUPS = ("first_correct", "unsafe_picks", "last_unsafe")
NO_ANSWERS: Mapping[str, Any] = {"first_correct": None, "unsafe_picks": 0, "last_unsafe": False}


def next_rollups(before: Mapping[str, Any], outcome: str, unsafe: bool) -> dict[str, Any]:
    """The rollup columns after one more answer graded `outcome`, that did or did not pick an unsafe option.

    Args:
        before: the rollups before the answer (`NO_ANSWERS` for an item never answered).
        outcome: the review's result ("correct", "partial", "incorrect").
        unsafe: whether the answer chose an option marked unsafe.
    """
    first = before.get("first_correct")
    return {
        "first_correct": outcome == "correct" if first is None else bool(first),
        "unsafe_picks": int(before.get("unsafe_picks") or 0) + int(unsafe),
        "last_unsafe": bool(unsafe),
    }


def rollups_of(answers: Iterable[tuple[str, bool]]) -> dict[str, Any]:
    """The rollups of an item's answers, given as (result, unsafe chosen), oldest first."""
    values = dict(NO_ANSWERS)
    for outcome, unsafe in answers:
        values = next_rollups(values, outcome, unsafe)
    return values


def stored_rollups(state: Mapping[Any, Any]) -> dict[str, Any]:
    """The rollup columns of an item state's row (a mapping of its columns), as `next_rollups` takes them."""
    return {name: state[name] for name in ROLLUPS}


def pair_rollups(session: Session, user_id: int, item_id: str, leaving_out: int | None = None) -> dict[str, Any]:
    """The rollups recomputed from the learner's stored reviews of the item (without review `leaving_out`)."""
    query = (
        select(Review.result, Review.unsafe_chosen)
        .where(Review.user_id == user_id, Review.item_id == item_id)
        .order_by(Review.reviewed_at, Review.id)
    )
    if leaving_out is not None:
        query = query.where(Review.id != leaving_out)
    return rollups_of((result, bool(unsafe)) for result, unsafe in session.execute(query))
