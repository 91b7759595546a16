"""Partial indexes for the instructor dashboard: first attempts, and unsafe answers.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index first attempts only: (user_id, item_id, result) where attempt = 1."""
    op.create_index(
        "ix_reviews_first_attempt",
        "reviews",
        ["user_id", "item_id", "result"],
        sqlite_where=sa.text("attempt = 1"),
        postgresql_where=sa.text("attempt = 1"),
    )
    op.create_index(
        "ix_reviews_unsafe",
        "reviews",
        ["user_id", "item_id"],
        sqlite_where=sa.text("unsafe_chosen"),
        postgresql_where=sa.text("unsafe_chosen"),
    )


def downgrade() -> None:
    """Drop both partial indexes."""
    op.drop_index("ix_reviews_unsafe", table_name="reviews")
    op.drop_index("ix_reviews_first_attempt", table_name="reviews")
