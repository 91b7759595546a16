"""Item analysis for a class, as Moodle's quiz statistics report gives it, in SQL.

- attempts: every review of the item by the class's students;
- facility: share correct on each student's first attempt;
- discrimination: Pearson correlation, over students, between the item's
  first-attempt score and the student's first-attempt score on every *other*
  item (the "rest" score), so an item does not correlate with itself;
- option counts on first attempts, with the mean overall score of the students
  who picked each option: a distractor that draws strong students points at a
  flawed item or a misconception worth teaching;
- FSRS difficulty and stability averaged over the students' item states.

Discrimination comes with a 95 % confidence interval (Fisher's z); under
`MIN_DISCRIMINATION_N` students it is not shown at all ("too few attempts"),
since a correlation over a handful of people says nothing.

Attempts, first attempts and the rest scores come from the rollups on each
item state (`reps`, `first_correct`: see `webapp.records.rollups`), so they are
GROUP BYs over the class's item states (students x items rows), not over its
review history; only the options picked on first attempts read reviews.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from sqlalchemy import Float, case, cast, func, select, text
from sqlalchemy.orm import Session

from webapp.platform.models import ItemState, Review, ReviewChoice

MIN_DISCRIMINATION_N = 10
Z95 = 1.96


@dataclass
class OptionStat:
    """How often one option was picked on a first attempt, and by whom."""

    count: int
    mean_score_of_choosers: float


@dataclass
class ItemStat:
    """Statistics of one item for one class."""

    item_id: str
    attempts: int = 0
    first_attempts: int = 0
    facility: float | None = None
    discrimination: float | None = None
    discrimination_n: int = 0  # students the correlation is over
    mean_difficulty: float | None = None
    mean_stability: float | None = None
    options: dict[str, OptionStat] = field(default_factory=dict)

    @property
    def discrimination_known(self) -> bool:
        """True when enough students answered for the discrimination to mean something."""
        return self.discrimination is not None and self.discrimination_n >= MIN_DISCRIMINATION_N

    @property
    def discrimination_interval(self) -> tuple[float, float] | None:
        """The 95 % confidence interval of the discrimination (None with too few students)."""
        if not self.discrimination_known or self.discrimination is None:
            return None
        return correlation_interval(self.discrimination, self.discrimination_n)


def correlation_interval(r: float, n: int) -> tuple[float, float]:
    """95 % confidence interval of a Pearson correlation `r` over `n` pairs (Fisher's z, n > 3)."""
    clipped = max(-0.999999, min(0.999999, r))
    z, half = math.atanh(clipped), Z95 / math.sqrt(max(n - 3, 1))
    return math.tanh(z - half), math.tanh(z + half)


def pearson(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """Pearson correlation from sums; None when either side has no variance."""
    if n < 2:
        return None
    numerator = n * sxy - sx * sy
    denominator = math.sqrt(max(n * sxx - sx * sx, 0.0) * max(n * syy - sy * sy, 0.0))
    return numerator / denominator if denominator > 0 else None


def item_analysis(session: Session, users: Sequence[int], item_ids: Sequence[str] | None = None) -> dict[str, ItemStat]:
    """Item id -> ItemStat for the given students (items they have attempted)."""
    stats: dict[str, ItemStat] = {}
    if not users:
        return stats
    users = list(users)

    def item(item_id: str) -> ItemStat:
        return stats.setdefault(item_id, ItemStat(item_id))

    # Scoped by student only; grouped rows (one per item) are filtered to
    # `item_ids` at the end. `reps` counts each student's answers of the item.
    for item_id, attempts, difficulty, stability in session.execute(
        select(ItemState.item_id, func.sum(ItemState.reps), func.avg(ItemState.difficulty), func.avg(ItemState.stability))
        .where(ItemState.user_id.in_(users), ItemState.reps > 0)
        .group_by(ItemState.item_id)
    ):
        stat = item(item_id)
        stat.attempts = int(attempts or 0)
        stat.mean_difficulty = float(difficulty) if difficulty is not None else None
        stat.mean_stability = float(stability) if stability is not None else None

    # First attempts of every item (not only the scoped ones): the rest score
    # is the student's performance on everything else.
    first = (
        select(
            ItemState.user_id.label("user_id"),
            ItemState.item_id.label("item_id"),
            cast(case((ItemState.first_correct.is_(True), 1), else_=0), Float).label("x"),
        )
        .where(ItemState.user_id.in_(users), ItemState.first_correct.is_not(None))
        .subquery()
    )
    per_user = (
        select(first.c.user_id, func.sum(first.c.x).label("t"), cast(func.count(), Float).label("n"))
        .group_by(first.c.user_id)
        .subquery()
    )
    rest = ((per_user.c.t - first.c.x) / (per_user.c.n - 1)).label("r")
    scored = (
        select(first.c.item_id, first.c.x, rest)
        .join(per_user, per_user.c.user_id == first.c.user_id)
        .where(per_user.c.n > 1)
        .subquery()
    )
    for item_id, n, sx in session.execute(
        select(first.c.item_id, func.count(), func.sum(first.c.x)).group_by(first.c.item_id)
    ):
        if item_id in stats:
            stats[item_id].first_attempts = int(n)
            stats[item_id].facility = float(sx) / int(n)
    for item_id, n, sx, sr, sxr, sxx, srr in session.execute(
        select(
            scored.c.item_id,
            func.count(),
            func.sum(scored.c.x),
            func.sum(scored.c.r),
            func.sum(scored.c.x * scored.c.r),
            func.sum(scored.c.x * scored.c.x),
            func.sum(scored.c.r * scored.c.r),
        ).group_by(scored.c.item_id)
    ):
        if item_id in stats:
            stats[item_id].discrimination = pearson(int(n), float(sx), float(sr), float(sxr), float(sxx), float(srr))
            stats[item_id].discrimination_n = int(n)

    # The item id from the index, not the option row, so the options are read index-only.
    first_reviews = (
        select(Review.user_id.label("user_id"), Review.item_id.label("item_id"), Review.id.label("review_id"))
        # Written as SQL text so both databases see the literal `attempt = 1`
        # that the partial index ix_reviews_first_attempt is defined by.
        .where(Review.user_id.in_(users), text("reviews.attempt = 1"))
        .subquery()
    )
    for item_id, option_id, count, mean_score in session.execute(
        select(first_reviews.c.item_id, ReviewChoice.option_id, func.count(), func.avg(per_user.c.t / per_user.c.n))
        .join(first_reviews, first_reviews.c.review_id == ReviewChoice.review_id)
        .join(per_user, per_user.c.user_id == first_reviews.c.user_id)
        .group_by(first_reviews.c.item_id, ReviewChoice.option_id)
    ):
        if item_id in stats:
            stats[item_id].options[option_id] = OptionStat(int(count), float(mean_score))

    if item_ids is not None:
        wanted = set(item_ids)
        stats = {item_id: stat for item_id, stat in stats.items() if item_id in wanted}
    return stats


def option_pickers(session: Session, users: Sequence[int], item_id: str) -> dict[str, list[tuple[int, int, str]]]:
    """Option id -> (student, times picked, last picked ISO time) over every attempt, most picks first."""
    result: dict[str, list[tuple[int, int, str]]] = {}
    if not users:
        return result
    for option_id, user_id, count, last in session.execute(
        select(ReviewChoice.option_id, Review.user_id, func.count(), func.max(Review.reviewed_at))
        .join(Review, Review.id == ReviewChoice.review_id)
        .where(ReviewChoice.item_id == item_id, Review.user_id.in_(list(users)))
        .group_by(ReviewChoice.option_id, Review.user_id)
    ):
        result.setdefault(option_id, []).append((int(user_id), int(count), str(last)))
    for pickers in result.values():
        pickers.sort(key=lambda picker: (-picker[1], picker[0]))
    return result
