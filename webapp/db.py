"""Database engine and per-request session, built from the app's config.

SQLite (the default) gets WAL, foreign keys, a busy timeout and write
transactions that begin IMMEDIATE: a deferred transaction that reads and then
writes fails at once under concurrency, whatever the timeout. Read-only
requests (GET, HEAD, OPTIONS) begin DEFERRED instead, so in WAL mode they never
queue behind a writer or each other. Any other SQLAlchemy URL (PostgreSQL with
psycopg 3 in production) is used as given.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from webapp.zones.clock import local_date

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine, with the SQLite settings above when `url` is SQLite."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin.
        dbapi_connection.isolation_level = None
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
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")

    return engine


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
