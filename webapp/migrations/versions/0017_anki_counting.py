"""Counting Anki answers as Anki does, and guarding the class figures.

Revision ID: 0017
Revises: 0016

- item_states.memory_from: a reset in Anki ("Forget"); the memory is replayed from it.
- anki_imports.refused / refused_detail / skipped: what an upload's guards refused, and what
  it left out because Anki does not count it (previews) or it is another card of the note.
- classes.anki_counts: whether Anki answers count toward the class's study assignments.
- ix_reviews_anki_revlog: an upload's revlog ids looked up across accounts.
Existing rows: no reset, nothing refused or skipped, Anki answers count (as before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and the index."""
    with op.batch_alter_table("item_states") as batch:
        batch.add_column(sa.Column("memory_from", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("anki_imports") as batch:
        batch.add_column(sa.Column("refused", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("refused_detail", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch.add_column(sa.Column("skipped", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    with op.batch_alter_table("classes") as batch:
        batch.add_column(sa.Column("anki_counts", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_index("ix_reviews_anki_revlog", "reviews", ["anki_revlog_id"], unique=False,
                    sqlite_where=sa.text("anki_revlog_id IS NOT NULL"),
                    postgresql_where=sa.text("anki_revlog_id IS NOT NULL"))


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_reviews_anki_revlog", table_name="reviews")
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("anki_counts")
    with op.batch_alter_table("anki_imports") as batch:
        batch.drop_column("skipped")
        batch.drop_column("refused_detail")
        batch.drop_column("refused")
    with op.batch_alter_table("item_states") as batch:
        batch.drop_column("memory_from")
