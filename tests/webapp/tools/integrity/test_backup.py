"""`backup FILE` and `restore FILE` round-trip a filled database, and a bad restore changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete, update

from commands import main
from tests.webapp.tools.integrity.helpers import fill, snapshot
from webapp.platform.db import get_session
from webapp.platform.models import ItemState, Review, User
from webapp.tools.integrity.backup import BackupError, backup, restore
from webapp.tools.integrity.verify import Report, verify


def _damage(app: Flask) -> None:
    with app.app_context():
        session = get_session()
        session.execute(delete(Review).where(Review.id % 2 == 0))
        session.execute(update(ItemState).values(reps=0))
        session.add(User(email="late@example.com", display_name="Late", password_hash="x"))
        session.commit()


def test_backup_and_restore_round_trip(app: Flask, tmp_path: Path) -> None:
    fill(app)
    url, engine = app.config["DATABASE_URL"], app.extensions["db_engine"]
    before = snapshot(engine)
    assert sum(len(rows) for rows in before.values()) > 500
    file = tmp_path / "backup.dump"
    backup(url, file)
    _damage(app)
    assert snapshot(engine) != before
    engine.dispose()
    restore(url, file)
    assert snapshot(engine) == before
    report = list(verify(engine))[-1]
    assert isinstance(report, Report) and report.ok and report.reviews > 0


def test_cli_round_trip_and_refusals(app: Flask, tmp_path: Path) -> None:
    fill(app, students=2, days=5)
    url, engine = app.config["DATABASE_URL"], app.extensions["db_engine"]
    before = snapshot(engine)
    file = tmp_path / "nightly.backup"
    runner = CliRunner()
    result = runner.invoke(main, ["backup", str(file), "--database-url", url])
    assert result.exit_code == 0, result.output
    assert "Backed up" in result.output
    again = runner.invoke(main, ["backup", str(file), "--database-url", url])
    assert again.exit_code == 1 and "already exists" in again.output
    _damage(app)
    engine.dispose()
    refused = runner.invoke(main, ["restore", str(file), "--database-url", url], input="n\n")
    assert refused.exit_code == 1 and snapshot(engine) != before
    result = runner.invoke(main, ["restore", str(file), "--database-url", url, "--yes"])
    assert result.exit_code == 0, result.output
    assert snapshot(engine) == before


def test_a_file_that_is_no_backup_changes_nothing(app: Flask, tmp_path: Path) -> None:
    fill(app, students=2, days=3)
    url, engine = app.config["DATABASE_URL"], app.extensions["db_engine"]
    before = snapshot(engine)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database backup" * 100)
    with pytest.raises(BackupError):
        restore(url, junk)
    with pytest.raises(BackupError):
        restore(url, tmp_path / "missing.backup")
    assert snapshot(engine) == before
