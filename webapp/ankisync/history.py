"""Anki answers into the learner's history, once each; then one memory state per item.

`add_anki_reviews` stores each answer from Anki as a review with source "anki",
built by `webapp.records.answers.review_values` like every other review, keyed by
(user, Anki revlog id): an answer already imported (the same file again, or an
overlapping later export) is skipped, and the unique constraint on the pair
backs that up against two uploads at once.

Then every item the upload touched is replayed: all of the learner's reviews of
it, browser and Anki together, in time order, through the scheduler
(`score_rating` + `next_state`), so the item's one FSRS state reflects both
and an item learned in Anki is no longer new in the browser. The replay also
restates each review's attempt number, state before and card before, which the
browser's rating override relies on. One call is one transaction.

`plan_import` cuts an upload into such calls: it drops answers imported
before and answers beyond the learner's allowance for the day (the oldest are
kept, so a later upload goes on where this one stopped), and groups the rest
by item into batches of about `batch_rows` replayed answers, each committed
on its own by the job. A batch holds whole items, so every item state is
always its whole history replayed; on SQLite, where a write locks the whole
file, other learners' answers wait for one short batch at most, never for
the upload.

`plan_import` is the one entry point for answers from Anki, whatever brings
them (an uploaded file, a client pushing reviews): before the allowance it
sorts the entries out as Anki counts them (`webapp.ankisync.counting`:
previews and a note's other cards left out, resets kept apart) and refuses
what no real history holds (`webapp.ankisync.guards`). A reset newer than the
item's `memory_from` travels in the item's batch, and `add_anki_reviews`
moves `memory_from` to it, so the replay starts the memory there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from quizzes.questions import Question
from webapp.ankisync import counting, guards
from webapp.ankisync.package import AnkiReview
from webapp.platform.models import ItemState, Review, as_utc, utcnow
from webapp.records import activity
from webapp.records.rollups import NO_ANSWERS, next_rollups
from webapp.records.scoring import MAX_RESPONSE_MS, next_state, review_values, score_rating


@dataclass(frozen=True)
class Added:
    """What an upload added to the learner's history."""

    reviews_added: int
    reviews_known: int  # already imported by an earlier upload
    items: int
    first_review: dt.datetime | None
    last_review: dt.datetime | None


@dataclass(frozen=True)
class Retention:
    """The learner's desired retention and the safety figure, for the replay."""

    desired: float
    safety: float


@dataclass(frozen=True)
class ImportPlan:
    """An upload's new answers in batches of whole items, and what was left out."""

    batches: list[list[AnkiReview]]
    reviews_known: int  # imported by an earlier upload
    held_back: int  # new, but over today's allowance
    refused: Counter[str] = field(default_factory=Counter)  # by `guards.REFUSED_LABELS` reason
    skipped: Counter[str] = field(default_factory=Counter)  # by `counting.SKIPPED_LABELS` reason


@dataclass(frozen=True)
class Bounds:
    """The guards' settings (`ANKI_CLOCK_SKEW_SECONDS`, `ANKI_MAX_ANSWERS_PER_MINUTE`)."""

    skew_seconds: float = 300.0
    per_minute: int = 40


def plan_import(session: Session, user_id: int, reviews: Iterable[AnkiReview], bank: Bank, allowance: int,
                batch_rows: int, *, now: dt.datetime | None = None, bounds: Bounds = Bounds()) -> ImportPlan:
    """The batches to add: new answers of the course's items that pass the guards, the oldest `allowance`, by item.

    `reviews` are Anki revlog entries of the course's notes as read (every card, previews and resets
    included): what counts is decided here, so every way in applies the same rules.
    """
    now = now or utcnow()
    entries = [entry for entry in reviews if bank.get(entry.item_id) is not None]
    sorted_out = counting.sort_out(entries)
    known = set(session.scalars(
        select(Review.anki_revlog_id).where(Review.user_id == user_id, Review.anki_revlog_id.is_not(None))
    ))
    fresh: dict[int, AnkiReview] = {}
    known_seen: set[int] = set()
    for answer in sorted_out.answers:
        if answer.revlog_id in known:
            known_seen.add(answer.revlog_id)
        else:
            fresh.setdefault(answer.revlog_id, answer)
    passed, refused = guards.refuse(session, user_id, list(fresh.values()), now,
                                    skew=dt.timedelta(seconds=bounds.skew_seconds), per_minute=bounds.per_minute)
    kept, held_back = passed[:max(0, allowance)], max(0, len(passed) - max(0, allowance))
    by_item: dict[str, list[AnkiReview]] = defaultdict(list)
    for answer in kept:
        by_item[answer.item_id].append(answer)
    for item_id, reset in _new_resets(session, user_id, sorted_out.resets, now + dt.timedelta(seconds=bounds.skew_seconds)):
        by_item[item_id].append(reset)
    stored: dict[str, int] = {}
    if by_item:
        stored = {item_id: int(count) for item_id, count in session.execute(
            select(Review.item_id, func.count()).where(Review.user_id == user_id, Review.item_id.in_(list(by_item)))
            .group_by(Review.item_id))}
    batches: list[list[AnkiReview]] = []
    batch: list[AnkiReview] = []
    rows = 0
    for item_id, answers in by_item.items():
        weight = len(answers) + stored.get(item_id, 0)  # the replay restates the stored ones too
        if batch and rows + weight > batch_rows:
            batches.append(batch)
            batch, rows = [], 0
        batch += answers
        rows += weight
    if batch:
        batches.append(batch)
    return ImportPlan(batches, len(known_seen), held_back, refused, sorted_out.skipped)


def _new_resets(session: Session, user_id: int, resets: dict[str, dt.datetime],
                latest: dt.datetime) -> list[tuple[str, AnkiReview]]:
    """Reset entries (as `AnkiReview`s) newer than the item's `memory_from`; one dated after `latest` is ignored."""
    if not resets:
        return []
    applied = {item_id: as_utc(at) for item_id, at in session.execute(
        select(ItemState.item_id, ItemState.memory_from).where(
            ItemState.user_id == user_id, ItemState.item_id.in_(list(resets)), ItemState.memory_from.is_not(None)))
        if at is not None}
    return [(item_id, reset_entry(item_id, at)) for item_id, at in resets.items()
            if at <= latest and (item_id not in applied or at > applied[item_id])]


def reset_entry(item_id: str, at: dt.datetime) -> AnkiReview:
    """Anki's record of a reset of the item's card at `at`, as `counting.is_reset` recognises it."""
    return AnkiReview(revlog_id=int(at.timestamp() * 1000), item_id=item_id, reviewed_at=at, button=0, interval=0,
                      duration_ms=0, kind=counting.MANUAL, factor=0)


def add_anki_reviews(session: Session, user_id: int, reviews: Iterable[AnkiReview], bank: Bank,
                     retention: Retention) -> Added:
    """Store the answers not imported before and replay the items they touch (no commit).

    `reviews` go through `counting.sort_out` (previews and other cards left out); a reset among them
    moves the item's `memory_from`. The guards are `plan_import`'s: call this with its batches.
    """
    known = set(session.scalars(
        select(Review.anki_revlog_id).where(Review.user_id == user_id, Review.anki_revlog_id.is_not(None))
    ))
    sorted_out = counting.sort_out(answer for answer in reviews if bank.get(answer.item_id) is not None)
    incoming: dict[str, list[AnkiReview]] = defaultdict(list)
    for item_id in sorted_out.resets:
        incoming[item_id] = []
    skipped = 0
    seen: set[int] = set()
    for answer in sorted_out.answers:
        if answer.revlog_id in known or answer.revlog_id in seen:
            skipped += answer.revlog_id in known
            continue
        seen.add(answer.revlog_id)
        if bank.get(answer.item_id) is not None:
            incoming[answer.item_id].append(answer)
    rows: list[dict[str, Any]] = []
    # Restated reviews are flushed once every item is locked, not between items, so their
    # activity rows (`webapp.records.activity`) are locked last, as a browser answer locks them
    # (its item, then the row): on PostgreSQL the two cannot wait on each other.
    with session.no_autoflush:
        for item_id, answers in incoming.items():
            question = bank.get(item_id)
            assert question is not None  # filtered above
            rows += _replay(session, user_id, question, answers, retention, sorted_out.resets.get(item_id))
    if rows:
        session.execute(insert(Review), rows)
        activity.add_rows(session, rows)  # a bulk insert passes the ORM's listeners by
    times = [row["reviewed_at"] for row in rows]
    touched = sum(1 for answers in incoming.values() if answers)
    return Added(len(rows), skipped, touched, min(times, default=None), max(times, default=None))


def _replay(session: Session, user_id: int, question: Question, answers: list[AnkiReview],
            retention: Retention, reset: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Replay the item's whole history with `answers` merged in; returns the new review rows.

    The memory (card, lapses, state) restarts at the item's last reset, `memory_from`, moved to
    `reset` when that is later; `reps` and the rollups go on counting every answer.
    """
    state = session.scalar(
        select(ItemState).where(ItemState.user_id == user_id, ItemState.item_id == question.id).with_for_update()
    )
    memory_from = as_utc(state.memory_from) if state is not None and state.memory_from is not None else None
    if reset is not None and (memory_from is None or reset > memory_from):
        memory_from = reset
    stored = list(session.scalars(
        select(Review).where(Review.user_id == user_id, Review.item_id == question.id)
    ))
    # In time order; on a tie, what was stored before comes first.
    timeline: list[tuple[dt.datetime, int, Review | AnkiReview]] = (
        [(row.reviewed_at, 0, row) for row in stored] + [(a.reviewed_at, 1, a) for a in answers]
    )
    timeline.sort(key=lambda entry: (entry[0], entry[1], _order(entry[2])))
    card: dict[str, Any] | None = None
    values: dict[str, Any] = {}
    rollups: dict[str, Any] = dict(NO_ANSWERS)
    reps = lapses = state_before = 0
    new_rows: list[dict[str, Any]] = []
    forgotten = memory_from is None
    for attempt, (at, _, entry) in enumerate(timeline, start=1):
        if not forgotten and memory_from is not None and at > memory_from:
            card, lapses, state_before, forgotten = None, 0, 0, True
        rating = entry.rating if isinstance(entry, Review) else entry.button
        scored = score_rating(question, rating, card, at, retention.desired, retention.safety)
        if isinstance(entry, Review):
            entry.attempt, entry.state_before, entry.card_before = attempt, state_before, card
            # A browser answer keeps its own grade and unsafe pick (the rating alone does not tell them).
            rollups = next_rollups(rollups, entry.result, bool(entry.unsafe_chosen))
        else:
            rollups = next_rollups(rollups, scored.grade.outcome, bool(scored.grade.unsafe_chosen))
            new_rows.append(review_values(
                user_id=user_id, question=question, presentation_id=f"anki-{user_id}-{entry.revlog_id}", now=at,
                response={"anki_button": entry.button, "anki_interval": entry.interval, "anki_kind": entry.kind},
                scored=scored, response_ms=min(entry.duration_ms, MAX_RESPONSE_MS), attempt=attempt,
                state_before=state_before, card_before=card, source="anki", anki_revlog_id=entry.revlog_id,
            ))
        values = next_state(reps, lapses, scored, state_before, question.module, at)
        card, reps, lapses, state_before = values["card"], values["reps"], values["lapses"], values["state"]
    if not timeline:
        return new_rows  # a reset of a card never answered here: nothing to remember or restart
    # A reset after the newest answer is kept in `memory_from`; the memory restarts at the next answer.
    if state is None:
        state = ItemState(user_id=user_id, item_id=question.id)
        session.add(state)
    for name, value in {**values, **rollups}.items():
        setattr(state, name, value)
    state.memory_from = memory_from
    return new_rows


def _order(entry: Review | AnkiReview) -> int:
    return entry.id if isinstance(entry, Review) else entry.revlog_id
