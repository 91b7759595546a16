"""Reviews imported from Anki (reviews.anki_revlog_id) and the upload jobs that import them.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add reviews.anki_revlog_id (unique per user) and the anki_imports table."""
    with op.batch_alter_table("reviews") as batch_op:
        batch_op.add_column(sa.Column("anki_revlog_id", sa.BigInteger(), nullable=True))
        batch_op.create_unique_constraint("uq_reviews_user_anki_revlog", ["user_id", "anki_revlog_id"])
    op.create_table(
        "anki_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(120), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes_found", sa.Integer(), nullable=False),
        sa.Column("reviews_added", sa.Integer(), nullable=False),
        sa.Column("reviews_known", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("first_review", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_review", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_anki_imports_user_created", "anki_imports", ["user_id", "created_at"])


def downgrade() -> None:
    """Drop the anki_imports table and reviews.anki_revlog_id."""
    op.drop_index("ix_anki_imports_user_created", table_name="anki_imports")
    op.drop_table("anki_imports")
    with op.batch_alter_table("reviews") as batch_op:
        batch_op.drop_constraint("uq_reviews_user_anki_revlog", type_="unique")
        batch_op.drop_column("anki_revlog_id")
