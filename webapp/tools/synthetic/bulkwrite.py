"""Batched inserts of simulated histories, without ORM objects or per-row statements.

One transaction per batch of students. Values are converted by each column's
own SQLAlchemy type (`bind_processor`, so timestamps and JSON are stored exactly
as the ORM stores them), then sent in bulk: PostgreSQL `COPY ... FROM STDIN`,
SQLite `executemany` of positional tuples in chunks of a few thousand, any
other database a Core `insert()` executemany. A profile showed SQLAlchemy's
per-row parameter handling and psycopg's per-row pipeline costing 3-4x the
database's own work, which is what this avoids. Review ids are reserved as a block inside
that transaction (PostgreSQL: from the table's sequence, under a table lock;
SQLite: after the current maximum, under the IMMEDIATE write lock), so each
student's review ids rise in time order, as the web app's do, and the option
rows can point at their reviews without a RETURNING round trip per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from webapp.platform.models import ItemState, Review, ReviewChoice
from webapp.records import activity
from webapp.tools.synthetic.simulate import History

CHUNK = 5000
SQLITE_CACHE_KIB = 256 * 1024

REVIEWS: Table = Review.__table__  # type: ignore[assignment]
CHOICES: Table = ReviewChoice.__table__  # type: ignore[assignment]
STATES: Table = ItemState.__table__  # type: ignore[assignment]


@dataclass
class RowCounts:
    """Rows written, by table."""

    reviews: int = 0
    review_choices: int = 0
    item_states: int = 0

    def add(self, other: RowCounts) -> None:
        """Add `other`'s counts to these."""
        self.reviews += other.reviews
        self.review_choices += other.review_choices
        self.item_states += other.item_states


def insert_chunked(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Core `insert()` executemany of `rows` into `table`, `chunk` rows at a time."""
    for start in range(0, len(rows), chunk):
        connection.execute(insert(table), list(rows[start:start + chunk]))


def _processors(connection: Connection, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    dialect = connection.dialect
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], chunk: int = CHUNK) -> None:
    """Insert `rows` (dicts with the same keys) into `table` by the fastest path the database has."""
    if not rows:
        return
    columns = list(rows[0])
    name = connection.dialect.name
    if name not in {"postgresql", "sqlite"}:
        insert_chunked(connection, table, rows, chunk)
        return
    processors = list(zip(columns, _processors(connection, table, columns)))
    values = [tuple(row[c] if p is None else p(row[c]) for c, p in processors) for row in rows]
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(column) for column in columns)
    if name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for value in values:
                copy.write_row(value)
        return
    statement = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})"  # quoted names from our metadata; values are bound  # nosec B608
    for start in range(0, len(values), chunk):
        connection.exec_driver_sql(statement, values[start:start + chunk])


def insert_returning_ids(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` and return their new ids in the order given (for the few people rows)."""
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row.id for row in connection.execute(statement, list(rows))]


def reserve_review_ids(connection: Connection, count: int) -> int:
    """Reserve `count` consecutive review ids for this transaction; returns the first."""
    if connection.dialect.name == "postgresql":
        # The lock keeps concurrent writers out until commit; the sequence then
        # moves past the block so later inserts by the web app never collide.
        connection.execute(text("LOCK TABLE reviews IN EXCLUSIVE MODE"))
        sequence = connection.scalar(text("SELECT pg_get_serial_sequence('reviews', 'id')"))
        first = int(connection.scalar(text("SELECT nextval(CAST(:s AS regclass))"), {"s": sequence}) or 0)
        if count > 1:
            connection.execute(text("SELECT setval(CAST(:s AS regclass), :v)"), {"s": sequence, "v": first + count - 1})
        return first
    # SQLite: the transaction began IMMEDIATE, so nobody else writes meanwhile.
    return int(connection.scalar(select(func.coalesce(func.max(REVIEWS.c.id), 0))) or 0) + 1


def write_histories(connection: Connection, histories: Iterable[History]) -> RowCounts:
    """Insert the reviews, chosen options and item states of `histories`, and their activity rollups (no commit)."""
    histories = list(histories)
    if connection.dialect.name == "sqlite":
        # Four indexes on reviews take random inserts: a bigger page cache
        # (this connection only, grown as used) keeps them out of the disk.
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    total = sum(len(history.reviews) for history in histories)
    next_id = reserve_review_ids(connection, total) if total else 0
    reviews: list[dict[str, Any]] = []
    choices: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    for history in histories:
        first = next_id
        for row in history.reviews:
            reviews.append({**row, "id": next_id})
            next_id += 1
        choices.extend(
            {"review_id": first + index, "option_id": option, "item_id": item, "unsafe": unsafe}
            for index, option, item, unsafe in history.choices
        )
        states.extend(history.states)
    bulk_insert(connection, REVIEWS, reviews)
    bulk_insert(connection, CHOICES, choices)
    bulk_insert(connection, STATES, states)
    # The activity rollups of these students, counted from the rows just written, in the same transaction.
    activity.rebuild(connection, sorted({row["user_id"] for row in reviews}))
    return RowCounts(len(reviews), len(choices), len(states))
