"""Activity rollups: each learner's reviews counted per UTC quarter-hour (review_activity), backfilled.

Revision ID: 0012
Revises: 0011

The class overview and the progress pages sum these rows instead of counting
reviews (`webapp.records.activity`). The backfill is `webapp.records.activity.rebuild` over
everyone: one INSERT … SELECT … GROUP BY on either database, the same statement
the synthetic school's bulk writer runs per batch, reading only the five review
columns every revision since 0001 has.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from webapp.records.activity import rebuild

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create review_activity and fill it from every review."""
    op.create_table(
        "review_activity",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("bucket", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("in_review", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "bucket"),
    )
    rebuild(op.get_bind())


def downgrade() -> None:
    """Drop review_activity (it is recomputed from the reviews on the way up)."""
    op.drop_table("review_activity")
