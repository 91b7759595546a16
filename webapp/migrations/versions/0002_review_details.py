"""review details: question type, module, card before, automatic rating

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns a rating override and per-module aggregates need (all nullable: old rows stay valid)."""
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_type", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("module", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("card_before", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("auto_rating", sa.Integer(), nullable=True))
        batch_op.create_index("ix_reviews_user_item", ["user_id", "item_id"], unique=False)
    with op.batch_alter_table("item_states", schema=None) as batch_op:
        batch_op.add_column(sa.Column("module", sa.String(length=80), nullable=True))


def downgrade() -> None:
    """Drop the columns again."""
    with op.batch_alter_table("item_states", schema=None) as batch_op:
        batch_op.drop_column("module")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_reviews_user_item")
        batch_op.drop_column("auto_rating")
        batch_op.drop_column("card_before")
        batch_op.drop_column("module")
        batch_op.drop_column("question_type")
