"""Alembic, driven from code: the schema is created and upgraded only by migrations.

Tests use the same path as production, so an upgrade that would lose data fails
in the suite first. `upgrade(url)` brings any database to the newest revision.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and at `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser would read '%' in a URL as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at `url` up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate the database at `url` down to `revision` (for tests of migrations)."""
    command.downgrade(alembic_config(url), revision)
