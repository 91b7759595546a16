"""Recompute every item state from its reviews with the scheduler, and report where the stored one differs.

Each learner's reviews of an item are replayed in time order (ties by id, the
order they were stored in), as the Anki import replays an item's whole history
(`webapp.ankisync.history`), from a new card: the
rating each review stored goes through `quizzes.scheduling.review` and the web
app's own `next_state` builder, exactly as `record_answer` (and a later rating
override) would have scheduled it. What the replay must reproduce exactly:
the card's state, learning step, stability, difficulty and last review (the
card starting new again after the item's `memory_from`, a reset in Anki); the
reps and lapses; the module; each review's stored "state before" and "card
before"; and the copies kept in columns (`due`, `state`, `stability`,
`difficulty`) must match the stored card. The rollups the instructor pages
read (`first_correct`, `unsafe_picks`, `last_unsafe`) must equal
`webapp.records.rollups.rollups_of` the reviews, taken in time order as those
pages read them.

The due date is the one thing a replay cannot reproduce to the day: fsrs adds
random fuzz to review intervals, and the desired retention came from class
settings that may have changed since. So a review-state due date is checked to
lie within the intervals the scheduler gives for any retention the app allows,
widened by fsrs's largest fuzz; learning and relearning steps are not fuzzed
and must match exactly.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from quizzes.errors import QuizError
from quizzes.questions import Grade
from quizzes.scheduling import Rating, review
from webapp.platform.models import ItemState, Review, as_utc
from webapp.records.rollups import ROLLUPS, rollups_of
from webapp.records.scoring import Scored, next_state

# The retentions an item can be scheduled with: a class's setting (70-97 %,
# `instructor.forms.ClassForm`) or the safety figure; both ends widened a little.
RETENTION_RANGE = (0.70, 0.97)
# fsrs's fuzz moves an interval by at most 1 day + 15 % of it (its FUZZ_RANGES), plus rounding.
FUZZ_FRACTION = 0.15
FUZZ_DAYS = 2
CARD_FIELDS = ("card_id", "state", "step", "stability", "difficulty", "last_review")
STATE_COLUMNS = ("state", "stability", "difficulty", "last_review", "reps", "lapses", "module")
LEARNING, REVIEW, RELEARNING = 1, 2, 3


@dataclass(frozen=True)
class Mismatch:
    """One item state that its reviews do not reproduce."""

    user_id: int
    item_id: str
    stored: dict[str, Any]
    recomputed: dict[str, Any]

    def __str__(self) -> str:
        def show(values: dict[str, Any]) -> str:
            return " ".join(f"{name}={_show(value)}" for name, value in values.items())

        return f"{self.user_id}:{self.item_id}: stored {show(self.stored)} recomputed {show(self.recomputed)}"


@dataclass
class Report:
    """What a verification run looked at, and what it found."""

    users: int = 0
    states: int = 0
    reviews: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every stored state is what its reviews give."""
        return not self.mismatches


def _show(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, float):
        return repr(round(value, 6))
    return "none" if value is None else str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _card_value(card: dict[str, Any], name: str) -> Any:
    value = card.get(name)
    if name in ("last_review", "due") and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    return value


@dataclass
class _Replay:
    """The state a run of reviews leads to."""

    values: dict[str, Any]
    last: Review
    before: dict[str, Any] | None  # the replayed card the last review started from
    notes: dict[str, tuple[Any, Any]]  # field -> (stored, recomputed) found on the way


def replay(reviews: Sequence[Review], memory_from: dt.datetime | None = None) -> _Replay:
    """Schedule `reviews` (one learner, one item, in order) from a new card with the stored ratings.

    After `memory_from` (a reset in Anki) the card starts new again, lapses with it; `reps` counts on.
    """
    card: dict[str, Any] | None = None
    reps = lapses = 0
    values: dict[str, Any] = {}
    notes: dict[str, tuple[Any, Any]] = {}
    before: dict[str, Any] | None = None
    reset_at = as_utc(memory_from) if memory_from is not None else None
    for row in reviews:
        if reset_at is not None and as_utc(row.reviewed_at) > reset_at:
            card, lapses, reset_at = None, 0, None
        before = card
        state_before = 0 if card is None else int(card["state"])
        if row.state_before != state_before:
            notes.setdefault(f"review{row.id}.state_before", (row.state_before, state_before))
        if card is not None and row.card_before is not None:  # None: written before card_before was kept
            for name in CARD_FIELDS:
                stored, expected = _card_value(row.card_before, name), _card_value(card, name)
                if not _same(stored, expected):
                    notes.setdefault(f"review{row.id}.card_before.{name}", (stored, expected))
        reviewed = review(card, row.rating, row.reviewed_at, fuzz=False)
        rating = Rating(row.rating)
        scored = Scored(Grade(row.result, row.score, ""), rating, rating, reviewed)  # type: ignore[arg-type]
        values = next_state(reps, lapses, scored, state_before, row.module or "", row.reviewed_at)
        card, reps, lapses = values["card"], values["reps"], values["lapses"]
    return _Replay(values, reviews[-1], before, notes)


def _due_window(last: Review, card_before: dict[str, Any] | None) -> tuple[dt.datetime, dt.datetime]:
    """Earliest and latest due date a review-state card may have after `last`."""
    intervals = [review(card_before, last.rating, last.reviewed_at, r, fuzz=False).due - last.reviewed_at
                 for r in RETENTION_RANGE]
    short, long = min(intervals), max(intervals)
    return (last.reviewed_at + short * (1 - FUZZ_FRACTION) - dt.timedelta(days=FUZZ_DAYS),
            last.reviewed_at + long * (1 + FUZZ_FRACTION) + dt.timedelta(days=FUZZ_DAYS))


def compare(state: ItemState | None, reviews: Sequence[Review]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The differing fields of a stored state and its replay, as (stored, recomputed); empty when they agree."""
    if not reviews:
        return {"reps": state.reps if state else None}, {"reps": "none (no reviews)"}
    try:
        run = replay(reviews, state.memory_from if state is not None else None)
    except QuizError as error:  # a stored rating or time the scheduler refuses
        return {"reviews": len(reviews)}, {"replay": f"impossible: {error}"}
    if state is None:
        return {"state": None}, {"state": run.values["state"], "reps": run.values["reps"]}
    stored: dict[str, Any] = {}
    recomputed: dict[str, Any] = {}

    def differ(name: str, mine: Any, theirs: Any) -> None:
        if not _same(mine, theirs):
            stored[name], recomputed[name] = mine, theirs

    for name in STATE_COLUMNS:
        differ(name, getattr(state, name), run.values[name] if name != "module" else run.last.module)
    in_time = sorted(reviews, key=lambda row: (row.reviewed_at, row.id))
    rollups = rollups_of((row.result, bool(row.unsafe_chosen)) for row in in_time)
    for name in ROLLUPS:
        differ(name, getattr(state, name), rollups[name])
    card = state.card or {}
    for name in ("state", "step", "stability", "difficulty", "card_id"):
        differ(f"card.{name}", card.get(name), run.values["card"].get(name))
    differ("due", state.due, _card_value(card, "due"))  # the column copies the card
    for name, (mine, theirs) in run.notes.items():
        differ(name, mine, theirs)
    if run.values["state"] == REVIEW:
        earliest, latest = _due_window(run.last, run.before)
        if not earliest <= state.due <= latest:
            stored["due"], recomputed["due"] = state.due, f"{earliest.date()}..{latest.date()}"
    else:
        differ("due", state.due, run.values["due"])
    return stored, recomputed


def _users(engine: Engine) -> list[int]:
    with Session(engine) as session:
        with_states = set(session.scalars(select(ItemState.user_id).distinct()))
        with_reviews = set(session.scalars(select(Review.user_id).distinct()))
    return sorted(with_states | with_reviews)


def _check_user(session: Session, user_id: int, report: Report) -> Iterator[Mismatch]:
    states = {s.item_id: s for s in session.scalars(select(ItemState).where(ItemState.user_id == user_id))}
    by_item: dict[str, list[Review]] = {}
    # Time order, as the import replays: an Anki answer imported today may predate a browser answer stored
    # last week, so write (id) order is not the order the stored state was built in.
    for row in session.scalars(
            select(Review).where(Review.user_id == user_id).order_by(Review.reviewed_at, Review.id)):
        by_item.setdefault(row.item_id, []).append(row)
    report.states += len(states)
    report.reviews += sum(len(rows) for rows in by_item.values())
    for item_id in sorted(set(states) | set(by_item)):
        stored, recomputed = compare(states.get(item_id), by_item.get(item_id, []))
        if stored or recomputed:
            yield Mismatch(user_id, item_id, stored, recomputed)


def verify(engine: Engine) -> Iterator[Mismatch | Report]:
    """Check every learner's item states; yields each mismatch as found, then the final `Report`.

    One short session per learner, so a large school is read a learner at a time.
    """
    report = Report()
    for user_id in _users(engine):
        report.users += 1
        with Session(engine) as session:
            for mismatch in _check_user(session, user_id, report):
                report.mismatches.append(mismatch)
                yield mismatch
    yield report
