"""Roster undo on the server: an instructor's "add back" and "restore the code" as rows, spent once, void on leaving.

Revision ID: 0013
Revises: 0012

Before this revision the undo lived in the instructor's signed session cookie,
so a kept copy of the cookie could add a student back after they had left.
Nothing to backfill: undo state in old cookies is simply no longer read.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create roster_undos."""
    op.create_table(
        "roster_undos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.Column("instructor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("old_code", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instructor_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_undos_class_user", "roster_undos", ["class_id", "user_id"], unique=False)


def downgrade() -> None:
    """Drop roster_undos (pending undos are forgotten)."""
    op.drop_index("ix_roster_undos_class_user", table_name="roster_undos")
    op.drop_table("roster_undos")
