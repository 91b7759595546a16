"""Storing an answer once: the item state, the review and the options chosen, in one transaction.

`record_answer` scores with `webapp.records.scoring` and writes the item state
with its rollups of the reviews (`webapp.records.rollups`, read by the instructor
pages), the review and the chosen options in one transaction; the activity
counts follow (`webapp.records.activity`). It is idempotent on the presentation
id (a double submit records once: the unique index refuses the second) and free
of Flask, so every writer (study, exams, the Anki import, the synthetic school)
goes through it. It runs Core statements built once: one reads and locks the
item state together with the learner's recent answer times, then the writes,
which on PostgreSQL are one statement.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import JSON, Column, Table, bindparam, func, insert, select, type_coerce, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from quizzes.grading import chosen_options
from quizzes.grading import grade as grade_response
from quizzes.questions import ChoiceQuestion, Grade, Question
from webapp.platform.models import ItemState, Review, ReviewChoice, User
from webapp.records import activity
from webapp.records.rollups import NO_ANSWERS, ROLLUPS, next_rollups, stored_rollups
from webapp.records.scoring import (
    MAX_RESPONSE_MS,
    NEW_STATE,
    TYPICAL_TIMES,
    ReviewError,
    median_ms,
    next_state,
    review_values,
    score_answer,
    typical_response_ms,
)

# Before the one retry on a lost connection: a restarting database takes a moment to accept again.
RETRY_PAUSE_SECONDS = 0.5


@dataclass(frozen=True)
class RecordedAnswer:
    """The stored review, its grade, and whether it had been stored already."""

    review: Review
    grade: Grade
    duplicate: bool


def set_columns(state: ItemState, values: dict[str, Any]) -> None:
    """Assign each column of `values` on an item state."""
    for name, value in values.items():
        setattr(state, name, value)


def user_id_of(user: User | int) -> int:
    """The id of a user given as a row or an id."""
    return user if isinstance(user, int) else user.id


# `record_answer` writes through these Core statements, built once: the ORM's unit of
# work and its result handling cost more than the statements themselves.
_reviews = Review.__table__.c
_states: Table = ItemState.__table__  # type: ignore[assignment]  # declarative tables are Tables
_reviews_table: Table = Review.__table__  # type: ignore[assignment]
_choices_table: Table = ReviewChoice.__table__  # type: ignore[assignment]
_STATE_KEY = (_states.c.user_id == bindparam("key_user_id"), _states.c.item_id == bindparam("key_item_id"))
# The SET clause is the parameters' columns (every column `next_state` and `next_rollups` give).
_UPDATE_STATE = update(_states).where(*_STATE_KEY)
_INSERT_REVIEW = insert(_reviews_table)
_INSERT_CHOICES = insert(_choices_table)
_EXISTING = select(Review).where(Review.presentation_id == bindparam("presentation_id"))


@lru_cache(maxsize=4)
def _lock_state(dialect: str) -> Any:
    """What an answer needs of the item state it moves on, in one statement; FOR UPDATE holds the row
    until the answer is stored (SQLite compiles it away: BEGIN IMMEDIATE already locks the database).

    With the state come the learner's recent times of the question type (`TYPICAL_TIMES`, gathered
    into one JSON list) and the count of the item's stored reviews, which equals `reps` unless this
    statement waited for another answer's lock on the row: PostgreSQL then returns the row as that
    answer left it, but the subqueries still read from before it, so `record_answer` reads the times again.
    """
    gather = func.json_agg if dialect == "postgresql" else func.json_group_array
    times = TYPICAL_TIMES.subquery()
    recent = select(type_coerce(gather(times.c.response_ms), JSON)).scalar_subquery()
    answers = (
        select(func.count()).select_from(_reviews_table)
        .where(_reviews.user_id == bindparam("user_id"), _reviews.item_id == bindparam("key_item_id"))
        .scalar_subquery()
    )
    return (
        select(_states.c.state, _states.c.card, _states.c.reps, _states.c.lapses,
               *(_states.c[name] for name in ROLLUPS), recent.label("recent"), answers.label("answers"))
        .where(*_STATE_KEY)
        .with_for_update(of=_states)
    )


@lru_cache(maxsize=4)
def _insert_state(dialect: str) -> Any:
    """INSERT of a first item state that does nothing if the row exists (another tab's answer made it).

    Its rowcount says which (SQLAlchemy keeps an INSERT's rowcount only when asked).
    """
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (insert_(_states).on_conflict_do_nothing(index_elements=["user_id", "item_id"])
            .execution_options(preserve_rowcount=True))


def _existing(session: Session, presentation_id: str) -> Review | None:
    return session.scalar(_EXISTING, {"presentation_id": presentation_id})


class _Raced(Exception):
    """Another transaction created the item state this answer found missing: start again."""


def record_answer(
    session: Session,
    user: User | int,
    question: Question,
    response: object,
    response_ms: int,
    presentation_id: str,
    now: dt.datetime,
    desired_retention: float,
    safety_retention: float,
    override_rating: int | None = None,
    *,
    source: str = "web",
) -> RecordedAnswer:
    """Grade, schedule and store one answer, once per presentation id; commits.

    Raises:
        ReviewError: the response cannot be graded, or the presentation id
            belongs to another learner or item (a forged or mixed-up form).
    """
    user_id = user_id_of(user)
    response_ms = max(0, min(int(response_ms), MAX_RESPONSE_MS))

    def attempt() -> RecordedAnswer:
        try:
            return _record(session, user_id, question, response, response_ms, presentation_id, now,
                           desired_retention, safety_retention, override_rating, source)
        except _Raced:
            # The first answers of one new item from two tabs at once (PostgreSQL): the
            # other tab's state now exists, so the second try reads and locks it.
            return _record(session, user_id, question, response, response_ms, presentation_id, now,
                           desired_retention, safety_retention, override_rating, source)

    try:
        return attempt()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # The connection died under the answer (the database restarted, or its backend was ended).
        # Nothing of it is stored unless its COMMIT got through, and then the presentation id finds it
        # and this records nothing twice; so once more, on a new connection (the pool pings it first).
        session.rollback()
        time.sleep(RETRY_PAUSE_SECONDS)
        return attempt()


def _record(session: Session, user_id: int, question: Question, response: object, response_ms: int,
            presentation_id: str, now: dt.datetime, desired_retention: float, safety_retention: float,
            override_rating: int | None, source: str) -> RecordedAnswer:
    """`record_answer` once; raises `_Raced` (rolled back) when the item state appeared meanwhile.

    Statements, in one transaction: the item state (locked; the first statement
    opens the transaction, IMMEDIATE on SQLite, so nothing interleaves), the
    learner's usual time, the review (its unique presentation id is the duplicate
    check: a second submit fails there and nothing of it is kept), the item
    state, the options chosen, the activity counts.
    """
    key = {"key_user_id": user_id, "key_item_id": question.id}
    dialect = session.get_bind().dialect.name
    locked = session.execute(_lock_state(dialect), {**key, "user_id": user_id, "question_type": question.type}).first()
    if locked is None:  # never answered: state, card, counts and rollups of an item never seen
        state_before, card_before, reps, lapses, before = NEW_STATE, None, 0, 0, dict(NO_ANSWERS)
        typical = typical_response_ms(session, user_id, question.type)
    else:
        state_before, card_before, reps, lapses = locked.state, dict(locked.card), locked.reps or 0, locked.lapses or 0
        before = stored_rollups(locked._mapping)
        typical = (median_ms(locked.recent) if locked.answers == reps
                   else typical_response_ms(session, user_id, question.type))
    try:
        scored = score_answer(question, response, response_ms, card_before, typical, now,
                              desired_retention, safety_retention, override_rating)
    except ReviewError:
        session.rollback()
        raise
    values = review_values(
        user_id=user_id, question=question, presentation_id=presentation_id, now=now, response=response,
        scored=scored, response_ms=response_ms, attempt=reps + 1,  # `reps` counts the item's reviews: no COUNT
        state_before=state_before, card_before=card_before, source=source,
    )
    state_values = {
        **next_rollups(before, scored.grade.outcome, bool(scored.grade.unsafe_chosen)),
        **next_state(reps, lapses, scored, state_before, question.module, now),
    }
    try:
        review_id = _store(session, dialect, key, values, state_values, _chosen(question, response),
                           new_item=locked is None)
    except IntegrityError:
        # This presentation is stored already (a double submit; on PostgreSQL perhaps
        # by a transaction that committed while this one ran): keep it, record nothing twice.
        session.rollback()
        existing = _existing(session, presentation_id)
        if existing is None:
            raise
        return _duplicate(session, existing, user_id, question)
    if review_id is None:
        session.rollback()
        raise _Raced
    session.commit()
    return RecordedAnswer(_persistent(session, Review(id=review_id, **values), (user_id, question.id)),
                          scored.grade, duplicate=False)


def _store(session: Session, dialect: str, key: dict[str, Any], values: dict[str, Any], state_values: dict[str, Any],
           chosen: list[tuple[str, bool]], new_item: bool) -> int | None:
    """Write the review, the item state, the options chosen and the activity count (no commit).

    Returns the review's id, or None when a new item's state was created meanwhile (the caller rolls back).
    Raises IntegrityError when the presentation id is stored already (the review is written first).
    """
    if dialect == "postgresql":  # one round trip
        params = {**key, **{f"r_{name}": value for name, value in values.items()},
                  **{f"s_{name}": value for name, value in state_values.items()},
                  **{f"a_{name}": value for name, value in activity.counted(values).items()},
                  "c_item_id": key["key_item_id"]}
        for n, (option, unsafe) in enumerate(chosen):
            params[f"c{n}_option_id"], params[f"c{n}_unsafe"] = option, unsafe
        stored = session.execute(_store_at_once(len(chosen), new_item), params).one()
        return int(stored.id) if stored.states == 1 else None
    inserted = cast(CursorResult[Any], session.execute(_INSERT_REVIEW, values))
    review_id = int(cast(Row[Any], inserted.inserted_primary_key)[0])  # one row inserted: never None
    if not new_item:
        session.execute(_UPDATE_STATE, {**key, **state_values})
    elif cast(CursorResult[Any], session.execute(_insert_state(dialect), {
        "user_id": key["key_user_id"], "item_id": key["key_item_id"], **state_values,
    })).rowcount != 1:
        return None
    if chosen:
        session.execute(_INSERT_CHOICES, [
            {"review_id": review_id, "option_id": option, "item_id": key["key_item_id"], "unsafe": unsafe}
            for option, unsafe in chosen
        ])
    activity.add_rows(session, [values])  # written past the ORM, so counted here
    return review_id


def _bound(columns: Iterable[Column[Any]], prefix: str) -> dict[str, Any]:
    """Each column's value as a parameter named `prefix` + its name (typed: JSON and times convert)."""
    return {column.name: bindparam(prefix + column.name, type_=column.type) for column in columns}


@lru_cache(maxsize=32)
def _store_at_once(choices: int, new_item: bool) -> Any:
    """`_store` on PostgreSQL: one statement of data-modifying CTEs, the same rows as the SQLite statements.

    Its row: the review's id, and how many item states it wrote (0: a new item's row
    appeared meanwhile and nothing was stored). A unique violation fails all of it.
    """
    review = (postgresql_insert(_reviews_table).values(_bound((c for c in _reviews_table.c if c.name != "id"), "r_"))
              .returning(_reviews_table.c.id).cte("review"))
    # `memory_from` (a reset in Anki) is the Anki import's to move; an answer leaves it as it is.
    state_values = _bound((c for c in _states.c if c.name not in ("user_id", "item_id", "memory_from")), "s_")
    if new_item:
        write_state: Any = (
            postgresql_insert(_states)
            .values({**state_values, "user_id": bindparam("key_user_id"), "item_id": bindparam("key_item_id")})
            .on_conflict_do_nothing(index_elements=["user_id", "item_id"])
        )
    else:
        write_state = update(_states).where(*_STATE_KEY).values(state_values)
    state = write_state.returning(_states.c.user_id).cte("state")
    counts = activity.upsert("postgresql", _bound(activity.ACTIVITY.c, "a_")).cte("activity")
    statement = select(review.c.id, select(func.count()).select_from(state).scalar_subquery().label("states"))
    statement = statement.add_cte(counts)
    if choices:
        rows = [select(review.c.id, bindparam(f"c{n}_option_id", type_=_choices_table.c.option_id.type),
                       bindparam("c_item_id", type_=_choices_table.c.item_id.type),
                       bindparam(f"c{n}_unsafe", type_=_choices_table.c.unsafe.type))
                for n in range(choices)]
        chosen = insert(_choices_table).from_select(["review_id", "option_id", "item_id", "unsafe"],
                                                  rows[0] if choices == 1 else union_all(*rows))
        statement = statement.add_cte(chosen.cte("chosen"))
    return statement


def _persistent(session: Session, row: Review, state_key: tuple[int, str]) -> Review:
    """`row` as if loaded by `session`, whose copy of the item state (if any) is now out of date and expired.

    The session's objects stay true to the database, as they did when the ORM wrote the answer.
    """
    stale = session.identity_map.get(identity_key(ItemState, state_key))
    if stale is not None:
        session.expire(stale)
    make_transient_to_detached(row)
    session.add(row)
    return row


def _duplicate(session: Session, existing: Review, user_id: int, question: Question) -> RecordedAnswer:
    session.commit()  # end the read transaction (nothing was written); keeps `existing` loaded
    if existing.user_id != user_id or existing.item_id != question.id:
        raise ReviewError("This question was already answered in another session. Please take the next one.")
    return RecordedAnswer(existing, grade_response(question, existing.response), duplicate=True)


def _chosen(question: Question, response: object) -> list[tuple[str, bool]]:
    """The options an answer chose (id, marked unsafe), kept in review_choices for item analysis."""
    if not isinstance(question, ChoiceQuestion):
        return []
    chosen = chosen_options(response)
    return [(option.id, option.unsafe) for option in question.options if option.id in chosen]
