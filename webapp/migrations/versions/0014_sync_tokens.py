"""Personal tokens for the Anki add-on: stored hashed, with a label, last use and revocation.

Revision ID: 0014
Revises: 0013

A new table only: nothing to backfill (no learner has a token yet).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sync_tokens."""
    op.create_table(
        "sync_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_sync_tokens_user_id", "sync_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    """Drop sync_tokens (every add-on must be given a new token)."""
    op.drop_index("ix_sync_tokens_user_id", table_name="sync_tokens")
    op.drop_table("sync_tokens")
