"""Time zones: a learner's zone (from their browser) and a class's zone (set by its instructor).

Revision ID: 0007
Revises: 0006

A learner's "today", streak and due counts start at their own midnight; the
instructor's pages show times in the class's zone. NULL on a user means "not
known yet" and is read as UTC, the zone every existing day was counted in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.timezone (nullable) and classes.timezone ("UTC" for existing classes)."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(64), nullable=True))
    with op.batch_alter_table("classes") as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"))


def downgrade() -> None:
    """Drop both time-zone columns."""
    with op.batch_alter_table("classes") as batch_op:
        batch_op.drop_column("timezone")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("timezone")
