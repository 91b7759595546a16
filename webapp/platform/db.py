"""Database engine and per-request session, built from the app's config.

SQLite (the default) gets WAL, foreign keys, a busy timeout and write
transactions that begin IMMEDIATE: a deferred transaction that reads and then
writes fails at once under concurrency, whatever the timeout. Read-only
requests (GET, HEAD, OPTIONS) begin DEFERRED instead, so in WAL mode they never
queue behind a writer or each other. Writers queue at a `WriteGate` before
SQLite's lock (see there). Any other SQLAlchemy URL (PostgreSQL with psycopg 3
in production) is used as given.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
from pathlib import Path
from typing import IO, Any, Callable

try:
    import fcntl
except ImportError:  # not on Windows: writers then queue in SQLite's busy handler alone
    fcntl = None  # type: ignore[assignment]

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from webapp.platform.clock import local_date

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine, with the SQLite settings above when `url` is SQLite."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(
        url, connect_args={"timeout": 30, "check_same_thread": False, "factory": GatedConnection}, **kwargs)
    gate = WriteGate.for_database(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
        dbapi_connection.gate = gate
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        # PostgreSQL has power(); SQLite has it only in builds with the math
        # functions. The dashboard's forgetting-curve aggregate needs it on both,
        # so a Python one stands in only where it is missing: it cost a Python
        # call per item state, and the native one agrees on every base that
        # aggregate can give (NULL, or at least 1: time since a review is never
        # negative there).
        if not _has_function(dbapi_connection, "SELECT power(2, 2)"):
            dbapi_connection.create_function("power", 2, _power, deterministic=True)
        # SQLite has no time zones: a learner's or a class's calendar day is
        # computed by the same Python rule PostgreSQL's timezone() follows.
        dbapi_connection.create_function("local_date", 2, _local_date, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("sqlite_begin", "IMMEDIATE") == "DEFERRED":
            connection.exec_driver_sql("BEGIN DEFERRED")
            return
        dbapi_connection = connection.connection.dbapi_connection
        gate.enter(dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.leave(dbapi_connection)
            raise

    return engine


class GatedConnection(sqlite3.Connection):
    """A SQLite connection that ends its `WriteGate` turn once its transaction has ended.

    After the commit or rollback, not before: SQLAlchemy's commit event comes
    before the commit, and a writer let in then would find SQLite's lock still
    held and nap. A connection closed in a transaction (invalidated) ends its
    turn too, so no turn outlives its connection.
    """

    gate: WriteGate | None = None
    gated = False

    def commit(self) -> None:
        """Commit, then let the next writer in."""
        self._then_leave(super().commit)

    def rollback(self) -> None:
        """Roll back, then let the next writer in."""
        self._then_leave(super().rollback)

    def close(self) -> None:
        """Close (SQLite rolls back what was open), then let the next writer in."""
        self._then_leave(super().close)

    def _then_leave(self, end: Callable[[], None]) -> None:
        try:
            end()
        finally:
            if self.gate is not None:
                self.gate.leave(self)


class WriteGate:
    """Writers of one SQLite file take turns here before SQLite's own write lock.

    A writer that finds SQLite's lock taken sleeps in its busy handler, 1, 2, 5,
    10... up to 100 ms a nap, however soon the lock is free, so under a burst of
    answers the naps, not the work, make the tail. Waiting here instead wakes
    the next writer the moment the last one commits: threads
    of a process on a lock, processes on an advisory `flock` of a file beside the
    database. It only orders writers; SQLite's lock still guarantees one at a
    time, so a thread that cannot get its process's turn in `WAIT` seconds (or a
    database without a file) goes on and lets SQLite decide, as before. The
    `flock` wait has no timeout: it is held only from BEGIN IMMEDIATE to the end
    of that transaction (while SQLite's lock is held too), and the kernel drops it
    with the process if that dies. It is a blocking lock, not polled: polling
    lets one process's threads hand the file lock to each other while another
    process naps between tries.
    """

    WAIT = 30.0
    _gates: dict[str, WriteGate] = {}
    _made = threading.Lock()

    def __init__(self, path: str | None) -> None:
        """`path`: the lock file, or None for no cross-process turn-taking (an in-memory database)."""
        self._path = path
        self._local = threading.local()
        self._turn = threading.Lock()
        self._file: IO[bytes] | None = None
        self._pid = 0

    @classmethod
    def for_database(cls, database: str | None) -> WriteGate:
        """The one gate of the database file `database` in this process (engines of one file share it)."""
        if not database or database == ":memory:" or fcntl is None:
            return cls(None)
        real = str(Path(database).resolve())
        with cls._made:
            if real not in cls._gates:
                cls._gates[real] = cls(real + "-writegate")
            return cls._gates[real]

    def enter(self, connection: GatedConnection) -> None:
        """Wait for `connection`'s write turn (re-entrant within a thread: a nested writer passes through)."""
        connection.gated = True
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        if depth:
            return
        self._local.held = self._turn.acquire(timeout=self.WAIT)
        self._local.flocked = self._local.held and self._flock()

    def leave(self, connection: GatedConnection) -> None:
        """End the turn when `connection`'s write transaction ends (reads end without touching it)."""
        if not connection.gated:
            return
        connection.gated = False
        depth = getattr(self._local, "depth", 0)
        if not depth:
            return
        self._local.depth = depth - 1
        if depth > 1:
            return
        if getattr(self._local, "flocked", False) and self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        if getattr(self._local, "held", False):
            self._turn.release()
        self._local.held = self._local.flocked = False

    def _flock(self) -> bool:
        if self._path is None:
            return False
        # Each process opens its own: a file opened before a fork (gunicorn's
        # preload) would be one lock shared by every worker.
        if self._file is None or self._pid != os.getpid():
            self._file = open(self._path, "ab")  # noqa: SIM115  # kept open: the lock lives on this file
            self._pid = os.getpid()
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return True


def _has_function(dbapi_connection: Any, probe: str) -> bool:
    """Whether SQLite runs `probe` (a call of a built-in function that some builds lack)."""
    try:
        dbapi_connection.execute(probe).fetchone()
    except sqlite3.OperationalError:  # "no such function"
        return False
    return True


def _power(base: float | None, exponent: float | None) -> float | None:
    if base is None or exponent is None or base < 0:
        return None
    return float(float(base) ** float(exponent))


def _local_date(stored: str | None, zone: str | None) -> str | None:
    if stored is None:
        return None
    moment = dt.datetime.fromisoformat(stored).replace(tzinfo=dt.timezone.utc)
    return local_date(moment, zone).isoformat()


def init_app(app: Flask) -> None:
    """Build the engine and session factory, and close the session per request."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(engine, expire_on_commit=False)
    app.extensions["db_read_sessionmaker"] = sessionmaker(
        engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
    )
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The current request's session, created on first use."""
    if "db_session" not in g:
        reading = has_request_context() and request.method in READ_METHODS
        factory = "db_read_sessionmaker" if reading else "db_sessionmaker"
        g.db_session = current_app.extensions[factory]()
    session: Session = g.db_session
    return session


def read_first(session: Session) -> None:
    """Begin `session`'s transaction as a read (DEFERRED on SQLite) in a request that writes later.

    Call it before the request's first statement, and end the read with
    `end_read` just before the write: the write's own transaction then
    begins IMMEDIATE, so it holds SQLite's one write lock only while it writes,
    not while the request loads the user and settings. (Writers that wait for
    the lock sleep in SQLite's busy handler, up to 100 ms a nap.)
    """
    if not session.in_transaction():
        session.connection(execution_options={"sqlite_begin": "DEFERRED"})


def end_read(session: Session) -> None:
    """End the read `read_first` began, on SQLite; PostgreSQL writers lock rows, not the
    database, so there the request keeps its one transaction (no extra round trips)."""
    if session.get_bind().dialect.name == "sqlite":
        session.commit()


def rollback_session() -> None:
    """Roll back the request's session, if it has one, so it can be used again after an error."""
    session = g.get("db_session")
    if session is None:
        return
    try:
        session.rollback()
    except SQLAlchemyError:
        # The connection itself is gone: start over with a fresh session.
        session.close()
        g.pop("db_session", None)


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
