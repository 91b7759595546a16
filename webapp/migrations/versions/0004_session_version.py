"""A per-user session version, so log-out and password changes end every session.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.session_version (0 for every existing user)."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    """Drop users.session_version."""
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("session_version")
