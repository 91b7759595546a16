"""Alembic environment: runs migrations on the URL that `webapp.platform.migrate` sets."""

from __future__ import annotations

from alembic import context

from webapp.platform.db import make_engine
from webapp.platform.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations over a live connection (the only mode we use)."""
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table (copy, DROP, rename) to drop a column;
            # with foreign keys on, that DROP would cascade and delete every
            # child row (a downgrade of users emptied reviews). The pragma only
            # takes effect outside a transaction, so it goes to the raw driver.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
    engine.dispose()


run_migrations_online()
