"""Helpers for the integrity tests: a small synthetic school, and a whole-database snapshot to compare."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import Engine, MetaData, select

from webapp.tools.synthetic.seed import seed_school

NOW = dt.datetime(2026, 11, 1, 18, 0, tzinfo=dt.timezone.utc)

Snapshot = dict[str, list[tuple[Any, ...]]]


def fill(app: Flask, students: int = 4, days: int = 10) -> None:
    """A synthetic class studying through the real planner and scheduler (no argon2: a fixed hash)."""
    seed_school(app.extensions["db_engine"], app.extensions["bank"], students=students, days=days, seed=7, now=NOW,
                password_hash="not-a-real-hash", classes=1)


def snapshot(engine: Engine, columns: dict[str, list[str]] | None = None) -> Snapshot:
    """Every row of every table (or of `columns`' tables and columns), in primary-key order."""
    metadata = MetaData()
    metadata.reflect(engine)
    result: Snapshot = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if columns is not None and name not in columns:
                continue
            chosen = [table.c[c] for c in columns[name]] if columns is not None else list(table.c)
            order = list(table.primary_key.columns) or chosen
            result[name] = [tuple(row) for row in connection.execute(select(*chosen).order_by(*order))]
    engine.dispose()
    return result


def table_columns(engine: Engine) -> dict[str, list[str]]:
    """Each table's column names, as the database has them now."""
    metadata = MetaData()
    metadata.reflect(engine)
    engine.dispose()
    return {name: [c.name for c in table.c] for name, table in metadata.tables.items()}
