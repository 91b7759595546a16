"""Whole-database backups and restores, with each database's own tools.

SQLite: Python's `sqlite3` online backup API, which copies a consistent
snapshot while the app keeps running (WAL included). PostgreSQL: `pg_dump` in
its custom format, restored by `pg_restore`. Nothing is half-written: a backup
goes to a temporary file that replaces FILE only when complete, and a restore
happens in one step (SQLite's backup API) or one transaction (PostgreSQL: the
old tables are dropped and the dump's SQL loaded by `psql --single-transaction`,
so a failed restore leaves the database as it was).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404  (pg_dump, pg_restore and psql, with argument lists, never a shell)
import tempfile
from pathlib import Path

from sqlalchemy import make_url
from sqlalchemy.engine import URL

from webapp.platform.errors import WebappError


class BackupError(WebappError):
    """A backup or restore could not be made; the message says why."""


def _kind(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in {"sqlite", "postgresql"}:
        raise BackupError(f"backups are made for SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    with target:
        source.backup(target)


def _check_sqlite(path: Path) -> None:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite backup of this app ({error})") from error
    if not ok or ok[0] != "ok":
        raise BackupError(f"{path} is damaged: {ok[0] if ok else 'no answer from integrity_check'}")
    if "alembic_version" not in tables or "users" not in tables:
        raise BackupError(f"{path} is a SQLite database, but not one of this app")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string for the PostgreSQL tools, with the password in the environment, not argv."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools (apt-get install postgresql-client)")
    return path


def _run(args: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(args, env=env, capture_output=True, check=False)  # nosec B603  (fixed tools, no shell)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{what} failed: {message[-1] if message else f'exit status {result.returncode}'}")
    return result


def _temporary_beside(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    return Path(name)


def backup(url: str, target: Path) -> str:
    """Write a backup of the database at `url` to `target`; returns its kind ("sqlite" or "postgresql").

    Raises:
        BackupError: `target` exists, the database cannot be read, or the tools are missing.
    """
    kind = _kind(url)
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name")
    partial = _temporary_beside(target)
    try:
        if kind == "sqlite":
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupError(f"there is no database at {source_path}")
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
            target_db = sqlite3.connect(partial)
            try:
                _sqlite_copy(source, target_db)
            finally:
                source.close()
                target_db.close()
            _check_sqlite(partial)
        else:
            conninfo, env = _libpq(url)
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}",
                  f"--dbname={conninfo}"], env, "pg_dump")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return kind


def restore(url: str, source: Path) -> str:
    """Replace everything in the database at `url` with the backup in `source`; returns its kind.

    Raises:
        BackupError: `source` is missing or not a backup for this kind of database; the restore failed
            (and changed nothing).
    """
    kind = _kind(url)
    if not source.is_file():
        raise BackupError(f"there is no backup file at {source}")
    if kind == "sqlite":
        _check_sqlite(source)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(target_path, timeout=30)
        try:
            _sqlite_copy(backup_db, live)
        finally:
            backup_db.close()
            live.close()
        return kind
    conninfo, env = _libpq(url)
    restore_tool, psql = _tool("pg_restore"), _tool("psql")
    try:
        _run([restore_tool, "--list", str(source)], env, f"reading {source} as a pg_dump file")
    except BackupError as error:
        raise BackupError(f"{source} is not a PostgreSQL backup made by `backup` ({error})") from error
    script = _run([restore_tool, "--no-owner", "--no-privileges", "--file=-", str(source)], env, "pg_restore").stdout
    # Drop every table of the current schema first (CASCADE: foreign keys between
    # them), in the same transaction as the load, so a failure changes nothing.
    drop = b"""DO $$ DECLARE t record; BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', t.tablename);
  END LOOP;
END $$;
"""
    partial = _temporary_beside(Path(tempfile.gettempdir()) / "massage-course-restore.sql")
    try:
        partial.write_bytes(drop + script)
        _run([psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1",
              f"--file={partial}", f"--dbname={conninfo}"], env, "restoring with psql")
    finally:
        partial.unlink(missing_ok=True)
    return kind
