"""Recording answers: the one place a review is graded, scheduled and stored.

`review_values` builds every review row and `next_state` every item state, for
the web app and for the synthetic school's bulk writer alike; `is_lapse` is the
one lapse rule.

`record_answer` grades with `quizzes.grading`, picks the FSRS rating from the
grade and the learner's usual speed for that question type, schedules with
`quizzes.scheduling`, and writes the item state, the review and the options
chosen in one transaction, with the item state's rollups of its reviews
(`webapp.records.rollups`, read by the instructor pages) and the activity counts
(`webapp.records.activity`). It is idempotent on the presentation id (a double submit
records once: the unique index refuses the second) and free of Flask, so the
synthetic school can write through the same functions. It is the hot write of
the app, so it runs built-once Core statements: one that reads and locks the
item state (with the learner's recent times), then the writes, which on
PostgreSQL are one statement (one round trip). `score_answer` is its pure core, for bulk writers that batch rows.

`undo_answer` takes the learner's last answer back (review deleted, item state
rebuilt from the review's `card_before`), within `UNDO_WINDOW`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, cast

from sqlalchemy import JSON, Column, Table, bindparam, delete, func, insert, select, type_coerce, union_all, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from quizzes.grading import chosen_options
from quizzes.grading import grade as grade_response
from quizzes.questions import ChoiceQuestion, Grade, Question
from quizzes.scheduling import Rating, Reviewed, load_card, rating_for, retention_for, review
from webapp.platform.errors import WebappError
from webapp.platform.models import ItemState, Review, ReviewChoice, User
from webapp.records import activity
from webapp.records.rollups import NO_ANSWERS, ROLLUPS, next_rollups, pair_rollups, stored_rollups

# How many recent answers of a type make the learner's "usual" speed.
TYPICAL_WINDOW = 20
# Time on a question is clamped: a tab left open over lunch is not a slow answer.
MAX_RESPONSE_MS = 10 * 60 * 1000
# FSRS states are 1-3; 0 is an item never answered (a review's `state_before`).
NEW_STATE = 0


class ReviewError(WebappError):
    """A review cannot be recorded or re-rated (the message is for the learner)."""


@dataclass(frozen=True)
class Scored:
    """What one answer means for the schedule, before anything is stored."""

    grade: Grade
    rating: Rating
    auto_rating: Rating  # what the grade and speed alone give
    reviewed: Reviewed


@dataclass(frozen=True)
class RecordedAnswer:
    """The stored review, its grade, and whether it had been stored already."""

    review: Review
    grade: Grade
    duplicate: bool


def score_answer(
    question: Question,
    response: object,
    response_ms: int,
    card_before: dict[str, Any] | None,
    typical_ms: float | None,
    now: dt.datetime,
    desired_retention: float,
    safety_retention: float,
    override_rating: int | None = None,
    grader: Callable[[Question, object], Grade] = grade_response,
) -> Scored:
    """Grade `response`, choose the rating and schedule the item (pure).

    `grader` is `quizzes.grading.grade` unless a bulk caller passes a memoised one.

    Raises:
        ReviewError: when the response cannot be graded (outcome "invalid").
    """
    result = grader(question, response)
    if not result.is_valid:
        raise ReviewError(result.message or "That answer could not be read.")
    auto = rating_for(result, response_ms, typical_ms)
    rating = Rating(override_rating) if override_rating is not None else auto
    retention = retention_for(question, desired_retention, safety_retention)
    return Scored(result, rating, auto, review(card_before, int(rating), now, retention))


def score_rating(question: Question, rating: int, card_before: dict[str, Any] | None, now: dt.datetime,
                 desired_retention: float, safety_retention: float) -> Scored:
    """Schedule an answer whose rating is already known (an Anki button press, a replayed review); pure.

    There is no response to grade: Again counts as incorrect, any other button as correct.
    """
    grade = Grade(outcome="correct" if rating > int(Rating.AGAIN) else "incorrect",
                  score=1.0 if rating > int(Rating.AGAIN) else 0.0, message="")
    retention = retention_for(question, desired_retention, safety_retention)
    return Scored(grade, Rating(rating), Rating(rating), review(card_before, rating, now, retention))


# Built once: every answer runs it, and building the statement cost as much as running it.
# Table columns (Core), not ORM attributes, so the session skips its ORM result handling.
_reviews = Review.__table__.c
_TYPICAL_TIMES = (
    select(_reviews.response_ms)
    .where(_reviews.user_id == bindparam("user_id"), _reviews.question_type == bindparam("question_type"),
           _reviews.source != "anki")
    .order_by(_reviews.reviewed_at.desc())
    .limit(TYPICAL_WINDOW)
)


def typical_response_ms(session: Session, user_id: int, question_type: str) -> float | None:
    """The median time of the learner's last answers of this type (None before any).

    Answers imported from Anki are left out: Anki times a flashcard, not reading options.
    """
    return _median(session.execute(_TYPICAL_TIMES, {"user_id": user_id, "question_type": question_type}).scalars().all())


def _median(times: Sequence[int] | None) -> float | None:
    return float(statistics.median(times)) if times else None


def is_lapse(rating: int, state_before: int) -> bool:
    """FSRS counts a lapse when a card in review state is forgotten."""
    return rating == int(Rating.AGAIN) and state_before == 2


def next_state(reps: int, lapses: int, scored: Scored, state_before: int, module: str,
               now: dt.datetime) -> dict[str, Any]:
    """The item state's column values after one answer (`reps`, `lapses`: before it)."""
    return {
        **_schedule_values(scored.reviewed, module, now),
        "reps": reps + 1,
        "lapses": lapses + int(is_lapse(int(scored.rating), state_before)),
    }


def _schedule_values(reviewed: Reviewed, module: str, now: dt.datetime) -> dict[str, Any]:
    return {
        "card": reviewed.card, "due": reviewed.due, "state": reviewed.state, "stability": reviewed.stability,
        "difficulty": reviewed.difficulty, "last_review": now, "module": module,
    }


def review_values(*, user_id: int, question: Question, presentation_id: str, now: dt.datetime,
                  response: object, scored: Scored, response_ms: int, attempt: int, state_before: int,
                  card_before: dict[str, Any] | None, source: str,
                  anki_revlog_id: int | None = None) -> dict[str, Any]:
    """The column values of one review row: the only place a review is built.

    `anki_revlog_id` is set for reviews imported from Anki (source "anki").
    """
    return {
        "user_id": user_id,
        "item_id": question.id,
        "presentation_id": presentation_id,
        "reviewed_at": now,
        "response": _jsonable(response),
        "result": scored.grade.outcome,
        "score": scored.grade.score,
        "rating": int(scored.rating),
        "auto_rating": int(scored.auto_rating),
        "response_ms": response_ms,
        "attempt": attempt,
        "state_before": state_before,
        "unsafe_chosen": bool(scored.grade.unsafe_chosen),
        "source": source,
        "question_type": question.type,
        "module": question.module,
        "card_before": card_before,
        "anki_revlog_id": anki_revlog_id,
    }


def _set(state: ItemState, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(state, name, value)


def _user_id(user: User | int) -> int:
    return user if isinstance(user, int) else user.id


# `record_answer` writes through these Core statements, built once: the ORM's unit of
# work and its result handling cost more than the statements themselves (profiled).
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

    With the state come the learner's recent times of the question type (`_TYPICAL_TIMES`, gathered
    into one JSON list) and the count of the item's stored reviews, which equals `reps` unless this
    statement waited for another answer's lock on the row: PostgreSQL then returns the row as that
    answer left it, but the subqueries still read from before it, so `record_answer` reads the times again.
    """
    gather = func.json_agg if dialect == "postgresql" else func.json_group_array
    times = _TYPICAL_TIMES.subquery()
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
    user_id = _user_id(user)
    response_ms = max(0, min(int(response_ms), MAX_RESPONSE_MS))
    try:
        return _record(session, user_id, question, response, response_ms, presentation_id, now,
                       desired_retention, safety_retention, override_rating, source)
    except _Raced:
        # The first answers of one new item from two tabs at once (PostgreSQL): the
        # other tab's state now exists, so the second try reads and locks it.
        return _record(session, user_id, question, response, response_ms, presentation_id, now,
                       desired_retention, safety_retention, override_rating, source)


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
        typical = (_median(locked.recent) if locked.answers == reps
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
    state_values = _bound((c for c in _states.c if c.name not in ("user_id", "item_id")), "s_")
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


def _jsonable(response: object) -> Any:
    if isinstance(response, tuple):
        return list(response)
    return response


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
    user_id = _user_id(user)
    if rating not in (1, 2, 3, 4):
        raise ReviewError("Choose Again, Hard, Good or Easy.")
    row = session.scalar(select(Review).where(Review.id == review_id, Review.user_id == user_id))
    if row is None or row.item_id != question.id:
        session.rollback()
        raise ReviewError("That answer was not found.")
    latest = session.scalar(
        select(func.max(Review.id)).where(Review.user_id == user_id, Review.item_id == row.item_id)
    )
    if latest != row.id:
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
    _set(state, _schedule_values(reviewed, question.module, row.reviewed_at))
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
    user_id = _user_id(user)
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
            _set(state, _restored_values(session, row, state))
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
