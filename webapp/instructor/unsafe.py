"""Unsafe answers, named: who picked which unsafe option, when, and whether they have since answered safely.

An unsafe pick is one option marked unsafe in one answer (a review and its
`review_choices` row), so an answer with two unsafe options is two picks. A
pick is "since answered safely" once a later answer of the same student to the
same item chose no unsafe option. A (student, item) is "still unsafe" while the
student's latest answer to it picked an unsafe option: the figure to act on.

The list of picks reads from the partial index ix_reviews_unsafe (only unsafe
answers), each pick's first later safe answer through ix_reviews_user_item, so
the cost follows the class's unsafe answers, not its whole history. Which
items are still unsafe is the `last_unsafe` rollup on each item state
(`webapp.records.rollups`), so the overview reads no reviews.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Mapping, Sequence

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session, aliased

from webapp.platform.models import ItemState, Review, ReviewChoice, as_utc


@dataclass(frozen=True)
class UnsafePick:
    """One unsafe option picked in one answer."""

    review_id: int
    user_id: int
    item_id: str
    option_id: str
    picked_at: dt.datetime
    safe_since: dt.datetime | None  # the first later answer that chose nothing unsafe
    still_unsafe: bool  # the student's latest answer to the item picked an unsafe option


def unsafe_picks(session: Session, users: Sequence[int], item_id: str | None = None) -> list[UnsafePick]:
    """Every unsafe pick of these students (of one item when `item_id` is given), newest first."""
    if not users:
        return []
    later = aliased(Review)
    # The first later answer of the same pair that chose nothing unsafe, through ix_reviews_user_item.
    safe_since = (
        select(func.min(later.reviewed_at))
        .where(later.user_id == Review.user_id, later.item_id == Review.item_id,
               later.reviewed_at > Review.reviewed_at, later.unsafe_chosen.is_(False))
        .correlate(Review)
        .scalar_subquery()
    )
    query = (
        select(Review.id, Review.user_id, Review.item_id, ReviewChoice.option_id, Review.reviewed_at, safe_since,
               ItemState.last_unsafe)
        .join(ReviewChoice, ReviewChoice.review_id == Review.id)
        .outerjoin(ItemState, and_(ItemState.user_id == Review.user_id, ItemState.item_id == Review.item_id))
        # Literal text, so both databases match the partial index ix_reviews_unsafe.
        .where(Review.user_id.in_(list(users)), text("reviews.unsafe_chosen"), ReviewChoice.unsafe.is_(True))
    )
    if item_id is not None:
        query = query.where(Review.item_id == item_id)
    result = [
        UnsafePick(int(rid), int(uid), item, option, as_utc(when), None if since is None else as_utc(since), bool(still))
        for rid, uid, item, option, when, since, still in session.execute(query)
    ]
    result.sort(key=lambda pick: (pick.picked_at, pick.review_id), reverse=True)
    return result


def still_unsafe_items(session: Session, users: Sequence[int]) -> dict[int, set[str]]:
    """Student -> the items whose latest answer picked an unsafe option."""
    if not users:
        return {}
    result: dict[int, set[str]] = {}
    for uid, item in session.execute(
        select(ItemState.user_id, ItemState.item_id)
        # Literal text, so both databases match the partial index ix_item_states_unsafe.
        .where(ItemState.user_id.in_(list(users)), text("item_states.unsafe_picks > 0"), ItemState.last_unsafe)
    ):
        result.setdefault(int(uid), set()).add(item)
    return result


def still_unsafe_count(still: Mapping[int, set[str]]) -> int:
    """Students with at least one item still answered unsafely."""
    return sum(1 for items in still.values() if items)


__all__ = ["UnsafePick", "still_unsafe_count", "still_unsafe_items", "unsafe_picks"]
