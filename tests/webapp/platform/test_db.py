"""SQLite transactions: writes begin IMMEDIATE, reads DEFERRED (so readers never queue)."""

from __future__ import annotations

import fcntl
import math
import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from webapp.platform.db import WriteGate, _has_function, _power, end_read, make_engine, read_first


def _table(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    return url


def test_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    engine = make_engine(_table(tmp_path))
    other = sqlite3.connect(tmp_path / "db.sqlite3", timeout=0, isolation_level=None)
    with engine.begin() as connection:
        connection.execute(text("SELECT 1"))  # a read, but the transaction is IMMEDIATE
        try:
            other.execute("BEGIN IMMEDIATE")
            locked = False
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            locked = True
    assert locked
    engine.dispose()


def test_read_transactions_leave_the_write_lock_free(tmp_path: Path) -> None:
    engine = make_engine(_table(tmp_path))
    other = sqlite3.connect(tmp_path / "db.sqlite3", timeout=0, isolation_level=None)
    reader = engine.execution_options(sqlite_begin="DEFERRED")
    with reader.connect() as connection:
        with connection.begin():
            assert connection.execute(text("SELECT count(*) FROM t")).scalar() == 0
            other.execute("BEGIN IMMEDIATE")  # a writer gets in while the read is open
            other.execute("INSERT INTO t VALUES (1)")
            other.execute("COMMIT")
    engine.dispose()


def test_power_agrees_with_the_python_rule_on_the_forgetting_curve_bases(tmp_path: Path) -> None:
    # Native power() where the build has it, the Python stand-in elsewhere: the
    # same figures on the bases the dashboard's forgetting curve produces.
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with engine.connect() as connection:
        for base in (None, 1.0, 1.0001, 2.5, 40.0, 1e6):
            for exponent in (None, -0.5, -0.1542, 0.0):
                got = connection.execute(text("SELECT power(:b, :e)"), {"b": base, "e": exponent}).scalar()
                expected = _power(base, exponent)
                assert got == expected or (got is not None and expected is not None and math.isclose(got, expected))
    engine.dispose()


def test_a_missing_sqlite_function_is_detected() -> None:
    connection = sqlite3.connect(":memory:")
    assert _has_function(connection, "SELECT abs(-1)")
    assert not _has_function(connection, "SELECT no_such_function(1)")
    connection.close()


def test_read_first_leaves_the_write_lock_free_until_the_write_transaction(tmp_path: Path) -> None:
    # The answer POST reads the user and settings first: no lock until record_answer's own transaction.
    path = tmp_path / "db.sqlite3"
    engine = make_engine(_table(tmp_path))
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with Session(engine) as session:
        read_first(session)
        session.execute(text("SELECT count(*) FROM t"))
        other.execute("BEGIN IMMEDIATE")  # a writer gets in while the read is open
        other.execute("ROLLBACK")
        end_read(session)
        session.execute(text("SELECT count(*) FROM t"))  # the next transaction begins IMMEDIATE again
        with pytest.raises(sqlite3.OperationalError):
            other.execute("BEGIN IMMEDIATE")
        session.rollback()
    other.close()
    engine.dispose()


def _write_without_busy_handler(url: str) -> None:
    """One write on a connection whose SQLite busy timeout is 0: it fails at once if it meets another writer's lock."""
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.connection.driver_connection.execute("PRAGMA busy_timeout=0")  # type: ignore[union-attr]
        with connection.begin():
            connection.execute(text("INSERT INTO t VALUES (2)"))
    engine.dispose()


def test_writers_take_turns_at_the_gate_not_in_sqlites_busy_handler(tmp_path: Path) -> None:
    url = _table(tmp_path)
    engine = make_engine(url)
    inside, done = threading.Event(), threading.Event()

    def hold() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
            inside.set()
            time.sleep(0.3)
        done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    assert inside.wait(10)
    # Without the gate this writer would meet the holder's SQLite lock and fail ("database is locked").
    _write_without_busy_handler(url)
    assert done.is_set()  # it went in only after the holder's commit
    holder.join()
    assert not WriteGate.for_database(str(tmp_path / "db.sqlite3"))._turn.locked()
    engine.dispose()


@pytest.mark.parametrize("ending", ["commit", "rollback", "error", "close", "invalidate"])
def test_every_way_a_write_ends_frees_the_gate(tmp_path: Path, ending: str) -> None:
    url = _table(tmp_path)
    engine = make_engine(url)
    session = Session(engine)
    session.execute(text("INSERT INTO t VALUES (1)"))
    gate = WriteGate.for_database(str(tmp_path / "db.sqlite3"))
    assert gate._turn.locked()
    if ending == "commit":
        session.commit()
    elif ending == "rollback":
        session.rollback()
    elif ending == "error":
        with pytest.raises(OperationalError):
            session.execute(text("INSERT INTO missing VALUES (1)"))
        session.rollback()
    elif ending == "close":
        session.close()
    else:  # the connection is thrown away mid-transaction (as after a lost connection): closed, never rolled back
        session.connection().invalidate()
    assert not gate._turn.locked()
    # A reader's transactions never take it.
    read = Session(engine.execution_options(sqlite_begin="DEFERRED"))
    read.execute(text("SELECT 1"))
    assert not gate._turn.locked()
    read.commit()
    engine.dispose()


def _hold_in_another_process(url: str, ready: Any, seconds: float) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
        ready.set()
        time.sleep(seconds)
    engine.dispose()


def test_writers_of_other_processes_take_turns_too(tmp_path: Path) -> None:
    url = _table(tmp_path)
    context = multiprocessing.get_context("spawn")
    ready = context.Event()
    other = context.Process(target=_hold_in_another_process, args=(url, ready, 0.5))
    other.start()
    try:
        assert ready.wait(30)
        # The other process's writer holds the gate's file lock...
        with open(str(tmp_path / "db.sqlite3") + "-writegate", "ab") as lock, pytest.raises(BlockingIOError):
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        # ...so this one waits for it there, never meeting SQLite's lock.
        _write_without_busy_handler(url)
    finally:
        other.join(30)
    assert other.exitcode == 0
