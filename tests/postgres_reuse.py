"""One PostgreSQL database per test process, emptied before each test instead of copied for it.

`CREATE DATABASE … TEMPLATE` and `DROP DATABASE` cost 0.4–1 s a test on these machines (a checkpoint
and a sync of every file each time), a fifth of the whole suite's time. Emptying a database whose schema
Alembic made is a few milliseconds: every table's rows deleted, every sequence restarted, and any
connection a previous test left open ended first, as `DROP DATABASE … WITH (FORCE)` did. A test that
leaves the schema at another revision (the migration tests go down and up again) or breaks it gets
a new copy of the template before the next test.
"""

from __future__ import annotations

import uuid

import psycopg
from sqlalchemy import make_url

# One round trip: rows of every table but alembic_version gone, sequences back at their start.
# `session_replication_role = replica` turns off the foreign-key triggers for the block, so order
# does not matter; the test user is the superuser, as PostgreSQL's trust setup on CI gives.
_EMPTY = """
DO $$
DECLARE item record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR item IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' LOOP
    EXECUTE format('DELETE FROM public.%I', item.tablename);
  END LOOP;
  FOR item IN SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' LOOP
    EXECUTE format('ALTER SEQUENCE public.%I RESTART', item.sequencename);
  END LOOP;
END $$
"""
_OTHERS = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
# The schema as one digest: revision, columns, indexes, constraints and triggers of the public schema.
_SCHEMA = """
SELECT md5(string_agg(part, E'\\n' ORDER BY part)) FROM (
  SELECT 'v ' || version_num FROM public.alembic_version
  UNION ALL SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
                   || coalesce(column_default, '') FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  UNION ALL SELECT 'k ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
                   FROM pg_constraint WHERE connamespace = 'public'::regnamespace
  UNION ALL SELECT 't ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE NOT tgisinternal
) AS parts(part)
"""


class ReusedDatabase:
    """A copy of the migrated template `template` that `fresh()` hands out empty, test after test."""

    def __init__(self, server_url: str, template: str) -> None:
        self._server = make_url(server_url)
        self._template = template
        self.name = f"msc_worker_{uuid.uuid4().hex[:10]}"
        self._schema = ""
        self._create()

    def fresh(self) -> str:
        """The database, emptied (or made again from the template if a test changed its schema); its URL."""
        with psycopg.connect(self._conninfo(self.name), autocommit=True) as connection:
            connection.execute(_OTHERS)
            try:
                schema = connection.execute(_SCHEMA).fetchone()
            except psycopg.Error:  # no alembic_version at all: a test took the schema down
                schema = None
            if schema is not None and schema[0] == self._schema:
                connection.execute(_EMPTY)
                return self.url
        self.drop()
        self._create()
        return self.url

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return self._server.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        """Drop the database, ending any connection to it."""
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _create(self) -> None:
        self._admin(f'CREATE DATABASE "{self.name}" TEMPLATE "{self._template}"')
        with psycopg.connect(self._conninfo(self.name), autocommit=True) as connection:
            row = connection.execute(_SCHEMA).fetchone()
        assert row is not None and row[0], "the template has no schema"
        self._schema = str(row[0])

    def _admin(self, statement: str) -> None:
        with psycopg.connect(self._conninfo(self._server.database or "postgres"), autocommit=True) as connection:
            connection.execute(statement.encode())

    def _conninfo(self, database: str) -> str:
        return self._server.set(drivername="postgresql", database=database).render_as_string(hide_password=False)
