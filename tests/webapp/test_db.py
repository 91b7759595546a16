"""SQLite transactions: writes begin IMMEDIATE, reads DEFERRED (so readers never queue)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import text

from webapp.db import make_engine


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
