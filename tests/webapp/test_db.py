"""SQLite transactions: writes begin IMMEDIATE, reads DEFERRED (so readers never queue)."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from webapp.db import _has_function, _power, end_read, make_engine, read_first


def test_write_transactions_take_the_write_lock_at_begin(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
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
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
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
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
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
