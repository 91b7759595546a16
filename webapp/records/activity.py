"""Activity rollups: each learner's reviews counted per UTC quarter-hour, kept true as reviews are written.

The class overview and the progress pages ask, per learner and per day, how
many reviews, how many correct, how many in FSRS review state and how many of
those passed. Counting the reviews costs a scan of each learner's month, growing
with their history; `review_activity` holds the same counts per (learner, UTC
quarter-hour), so a reader sums a few rows per study session instead. Every
zone offset in use is a multiple of 15 minutes, so a zone's calendar day is a
whole number of buckets: the day of a bucket's start is the day of every review
in it, and `progress.stats.day_of` on `window(...).c.at` gives exactly the day
boundaries it gives on `reviews.reviewed_at`.

The rule, in one place:
- `contribution` (Python) and `_per_review` (SQL) say what one review adds;
  `bucket_of` (Python) and `_bucket_sql` (SQL) which bucket it falls in.
- Writes through the ORM keep the rows true by themselves: listeners on
  `Review` add a new review's counts in the flush that inserts it, take a deleted one's away
  (`undo_answer`), and move an updated one's (a rating override, an Anki replay
  restating `state_before`). Counts move by upserts that add, so two answers
  of one learner at once on PostgreSQL both count.
- Statements that bypass the ORM say so themselves: `add_rows` after a bulk
  insert (Anki imports) or an answer's Core insert (`record_answer`, which on
  PostgreSQL puts `upsert` with `counted`'s values into its one write
  statement), `rebuild` after the synthetic school's bulk writer
  and in the migration's backfill, a DELETE of the learner's rows with theirs
  (account deletion).
  A row whose counts reach zero is deleted: the table holds exactly the
  buckets that have reviews. A new plain-SQL writer of reviews must call one
  of these too; `massage-course verify` names any bucket it left wrong.
- `window` reads a time range exactly: the rows of the buckets wholly inside
  it, and the reviews themselves in the buckets a boundary cuts.
  `last_reviewed` ("last active") needs no rollup: it reads the newest entry
  of each learner's (user_id, reviewed_at) index.
- `recount` recomputes a learner's rows from the reviews, in Python, for
  `massage-course verify`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Integer,
    Subquery,
    Table,
    and_,
    case,
    cast,
    delete,
    event,
    extract,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapper, Session
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.sql import ColumnElement

from webapp.platform.models import Review, ReviewActivity, User, UTCDateTime, as_utc

QUARTER = dt.timedelta(minutes=15)
REVIEW_STATE = 2  # fsrs State.Review: the answers true retention is judged on
AGAIN = 1  # fsrs Rating.Again: the one rating that fails
COUNTS = ("reviews", "correct", "in_review", "passed")
# The review columns a count depends on: an update of any of them moves the counts.
COUNTED_COLUMNS = ("user_id", "reviewed_at", "result", "state_before", "rating")

ACTIVITY: Table = ReviewActivity.__table__  # type: ignore[assignment]  # declarative tables are Tables
REVIEWS: Table = Review.__table__  # type: ignore[assignment]

Executor = Connection | Session


class Counts(NamedTuple):
    """What reviews add to a bucket."""

    reviews: int = 0
    correct: int = 0
    in_review: int = 0
    passed: int = 0

    def plus(self, other: Counts, sign: int = 1) -> Counts:
        """These counts with `other`'s added (`sign` -1: taken away)."""
        return Counts(*(mine + sign * theirs for mine, theirs in zip(self, other)))


def bucket_of(moment: dt.datetime) -> dt.datetime:
    """The start of the UTC quarter-hour `moment` falls in (aware UTC)."""
    moment = as_utc(moment)
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def contribution(result: str, state_before: int, rating: int) -> Counts:
    """What one review adds: itself, correct or not, and whether it was a review-state answer that passed."""
    in_review = state_before == REVIEW_STATE
    return Counts(1, int(result == "correct"), int(in_review), int(in_review and rating > AGAIN))


def _per_review(reviews: Any) -> list[ColumnElement[Any]]:
    """`contribution` in SQL, one expression per count, over a reviews table or alias."""
    in_review = reviews.c.state_before == REVIEW_STATE
    return [
        literal(1, Integer),
        case((reviews.c.result == "correct", 1), else_=0),
        case((in_review, 1), else_=0),
        case((and_(in_review, reviews.c.rating > AGAIN), 1), else_=0),
    ]


def _bucket_sql(column: Any, dialect: str) -> ColumnElement[dt.datetime]:
    """`bucket_of` in SQL (constants inlined, so GROUP BY repeats the very expression)."""
    if dialect == "postgresql":
        seconds: ColumnElement[Any] = literal_column("900")
        moment: ColumnElement[Any] = func.to_timestamp(func.floor(extract("epoch", column) / seconds) * seconds)
    else:
        # SQLite stores naive UTC as 'YYYY-MM-DD HH:MM:SS.ffffff' (SQLAlchemy's format): keep the
        # hour, round the minute down, and write the rest as SQLAlchemy writes a whole minute.
        minute = cast(func.substr(column, literal_column("15"), literal_column("2")), Integer)
        rounded = func.printf(literal_column("'%02d'"), minute // literal_column("15") * literal_column("15"))
        moment = func.substr(column, literal_column("1"), literal_column("14")).concat(rounded).concat(
            literal_column("':00.000000'"))
    return type_coerce(moment, UTCDateTime())


# --- writing -------------------------------------------------------------------------------------


def _dialect(executor: Executor) -> str:
    return executor.get_bind().dialect.name if isinstance(executor, Session) else executor.dialect.name


def upsert(dialect: str, values: Mapping[str, Any] | None = None) -> Any:
    """INSERT … ON CONFLICT DO UPDATE that adds its values to a bucket's row.

    Without `values` it takes them as parameters named like the columns (`counted` gives them);
    with them (user_id, bucket and the counts as SQL expressions) it can be part of a larger statement.
    """
    insert_ = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_(ACTIVITY) if values is None else insert_(ACTIVITY).values(dict(values))
    return statement.on_conflict_do_update(
        index_elements=["user_id", "bucket"],
        set_={name: ACTIVITY.c[name] + statement.excluded[name] for name in COUNTS},
    )


_upsert = lru_cache(maxsize=4)(upsert)  # built once per dialect, run with parameters


def counted(row: Mapping[str, Any]) -> dict[str, Any]:
    """What one review (its column values, as inserted) adds: the `upsert` parameters of its bucket's row."""
    return {"user_id": int(row["user_id"]), "bucket": bucket_of(row["reviewed_at"]),
            **contribution(row["result"], row["state_before"], row["rating"])._asdict()}


def _move(executor: Executor, user_id: int, bucket: dt.datetime, counts: Counts) -> None:
    """Add `counts` (negative to take away) to one bucket's row, creating it; a row left at zero goes."""
    executor.execute(_upsert(_dialect(executor)), {"user_id": user_id, "bucket": bucket, **counts._asdict()})
    if min(counts) < 0:
        executor.execute(delete(ACTIVITY).where(
            ACTIVITY.c.user_id == user_id, ACTIVITY.c.bucket == bucket, *(ACTIVITY.c[name] == 0 for name in COUNTS)
        ))


def add_rows(executor: Executor, rows: Iterable[Mapping[str, Any]]) -> None:
    """Count reviews written by a bulk statement (column-value mappings, as inserted), one upsert per bucket."""
    totals: dict[tuple[int, dt.datetime], Counts] = defaultdict(Counts)
    for row in rows:
        one = counted(row)
        key = (one["user_id"], one["bucket"])
        totals[key] = totals[key].plus(Counts(*(one[name] for name in COUNTS)))
    for (user_id, bucket), counts in sorted(totals.items()):  # in key order: two writers lock rows alike
        _move(executor, user_id, bucket, counts)


def rebuild(executor: Executor, user_ids: Sequence[int] | None = None) -> None:
    """Recount the rows of `user_ids` (None: everyone) from their reviews, in two set-based statements (no commit)."""
    bucket = _bucket_sql(REVIEWS.c.reviewed_at, _dialect(executor))
    recount_ = (
        select(REVIEWS.c.user_id, bucket, *(func.sum(value) for value in _per_review(REVIEWS)))
        .group_by(REVIEWS.c.user_id, bucket)
    )
    wipe = delete(ACTIVITY)
    if user_ids is not None:
        ids = list(user_ids)
        recount_, wipe = recount_.where(REVIEWS.c.user_id.in_(ids)), wipe.where(ACTIVITY.c.user_id.in_(ids))
    executor.execute(wipe)
    executor.execute(insert(ACTIVITY).from_select(["user_id", "bucket", *COUNTS], recount_))


@event.listens_for(Review, "after_insert")
def _inserted(_mapper: Mapper[Review], connection: Connection, target: Review) -> None:
    _move(connection, target.user_id, bucket_of(target.reviewed_at),
          contribution(target.result, target.state_before, target.rating))


@event.listens_for(Review, "after_delete")
def _deleted(_mapper: Mapper[Review], connection: Connection, target: Review) -> None:
    _move(connection, target.user_id, bucket_of(target.reviewed_at),
          Counts().plus(contribution(target.result, target.state_before, target.rating), -1))


@event.listens_for(Review, "after_update")
def _updated(_mapper: Mapper[Review], connection: Connection, target: Review) -> None:
    histories = {name: get_history(target, name) for name in COUNTED_COLUMNS}
    if not any(history.deleted for history in histories.values()):
        return  # none of the counted columns changed
    # An unchanged column has its value in `unchanged`, a changed one its old value in `deleted`.
    old = {name: [*h.deleted, *h.unchanged, *h.added][0] for name, h in histories.items()}
    was = (old["user_id"], bucket_of(old["reviewed_at"]), contribution(old["result"], old["state_before"], old["rating"]))
    now = (target.user_id, bucket_of(target.reviewed_at), contribution(target.result, target.state_before, target.rating))
    if was[:2] == now[:2]:  # the same row (a rating override, a restated state): one move by the difference
        if was[2] != now[2]:
            _move(connection, now[0], now[1], now[2].plus(was[2], -1))
        return
    _move(connection, was[0], was[1], Counts().plus(was[2], -1))
    _move(connection, *now)


# --- reading -------------------------------------------------------------------------------------


# The select lists of `window`'s two parts, built once (statements are immutable; only the WHERE varies).
_WHOLE = select(ACTIVITY.c.user_id.label("user_id"), ACTIVITY.c.bucket.label("at"), *(ACTIVITY.c[name] for name in COUNTS))
_EACH = select(REVIEWS.c.user_id.label("user_id"), REVIEWS.c.reviewed_at.label("at"), *_per_review(REVIEWS))


def window(user_ids: Sequence[int], start: dt.datetime, end: dt.datetime | None = None,
           cuts: Iterable[dt.datetime] = ()) -> Subquery:
    """The learners' activity from `start` to `end` (both included; None: no end), as rows to sum.

    Columns: user_id, at, reviews, correct, in_review, passed. A bucket wholly
    inside the range is its stored row (`at` its start); a bucket that `start`,
    `end` or one of `cuts` falls inside is read from the reviews themselves, one
    row per review (`at` its time), so a condition on `at` at any of those
    moments (`at >= week_ago`) is exact as well.
    """
    ids = list(user_ids)
    first = bucket_of(start)
    last = bucket_of(end) if end is not None else None
    # `end` is included, so its bucket is always partial: reviews after it are left out.
    partial = {bucket_of(moment) for moment in (start, *cuts) if moment != bucket_of(moment)}
    if last is not None:
        partial.add(last)
    partial = {b for b in partial if b >= first and (last is None or b <= last)}
    whole = _WHOLE.where(ACTIVITY.c.user_id.in_(ids), ACTIVITY.c.bucket >= first)
    if last is not None:
        whole = whole.where(ACTIVITY.c.bucket <= last)
    if not partial:
        return whole.subquery("activity")
    ranges = []
    for bucket in sorted(partial):
        high = REVIEWS.c.reviewed_at <= end if end is not None and end < bucket + QUARTER else (
            REVIEWS.c.reviewed_at < bucket + QUARTER)
        ranges.append(and_(REVIEWS.c.reviewed_at >= max(bucket, as_utc(start)), high))
    each = _EACH.where(REVIEWS.c.user_id.in_(ids), or_(*ranges))
    return union_all(whole.where(ACTIVITY.c.bucket.not_in(sorted(partial))), each).subquery("activity")


def last_reviewed(session: Session, user_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """Each learner's latest review time (learners without reviews left out).

    One index lookup per learner (the newest entry of ix_reviews_user_time), not a scan of their history.
    """
    latest = select(func.max(Review.reviewed_at)).where(Review.user_id == User.id).correlate(User).scalar_subquery()
    rows = session.execute(select(User.id, latest).where(User.id.in_(list(user_ids))))
    return {int(uid): as_utc(when) for uid, when in rows if when is not None}


# --- checking ------------------------------------------------------------------------------------


def recount(session: Session, user_id: int) -> tuple[dict[dt.datetime, Counts], dict[dt.datetime, Counts]]:
    """A learner's stored rows and the rows their reviews give (bucket -> counts), recomputed in Python."""
    stored = {
        as_utc(bucket): Counts(*(int(value) for value in values))
        for bucket, *values in session.execute(
            select(ACTIVITY.c.bucket, *(ACTIVITY.c[name] for name in COUNTS)).where(ACTIVITY.c.user_id == user_id))
    }
    recomputed: dict[dt.datetime, Counts] = defaultdict(Counts)
    for at, result, state_before, rating in session.execute(
        select(Review.reviewed_at, Review.result, Review.state_before, Review.rating).where(Review.user_id == user_id)
    ):
        bucket = bucket_of(at)
        recomputed[bucket] = recomputed[bucket].plus(contribution(result, state_before, rating))
    return stored, dict(recomputed)
