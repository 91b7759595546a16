"""Rollups of each item's reviews on its item state: first attempt correct, unsafe picks, latest answer unsafe.

With two indexes for their readers: one covering the class figures read from item
states, one partial on the states with an unsafe pick.

Revision ID: 0011
Revises: 0010

The backfill is set-based SQL that both databases run as written (UPDATE …
FROM needs SQLite 3.33 or later): the first attempt through the partial index
ix_reviews_first_attempt, the unsafe answers through ix_reviews_unsafe, and
"latest answer unsafe" only for the (student, item) pairs that ever had one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FIRST_CORRECT = """
UPDATE item_states SET first_correct = (f.result = 'correct')
FROM reviews AS f
WHERE f.attempt = 1 AND f.user_id = item_states.user_id AND f.item_id = item_states.item_id
"""
UNSAFE_PICKS = """
UPDATE item_states SET unsafe_picks = u.picks
FROM (SELECT user_id, item_id, count(*) AS picks FROM reviews WHERE unsafe_chosen GROUP BY user_id, item_id) AS u
WHERE u.user_id = item_states.user_id AND u.item_id = item_states.item_id
"""
# "Latest" as the instructor pages have always read it: by time, then id.
LAST_UNSAFE = """
UPDATE item_states SET last_unsafe = (
    SELECT r.unsafe_chosen FROM reviews AS r
    WHERE r.user_id = item_states.user_id AND r.item_id = item_states.item_id
    ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1
)
WHERE unsafe_picks > 0
"""


def upgrade() -> None:
    """Add item_states.first_correct, unsafe_picks and last_unsafe, filled from the reviews."""
    with op.batch_alter_table("item_states") as batch_op:
        batch_op.add_column(sa.Column("first_correct", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("unsafe_picks", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_unsafe", sa.Boolean(), nullable=False, server_default=sa.false()))
    for statement in (FIRST_CORRECT, UNSAFE_PICKS, LAST_UNSAFE):
        op.execute(sa.text(statement))
    op.create_index("ix_item_states_class", "item_states",
                    ["user_id", "item_id", "reps", "first_correct", "difficulty", "stability", "due", "last_review"])
    op.create_index(
        "ix_item_states_unsafe",
        "item_states",
        ["user_id", "item_id", "unsafe_picks", "last_unsafe"],
        sqlite_where=sa.text("unsafe_picks > 0"),
        postgresql_where=sa.text("unsafe_picks > 0"),
    )


def downgrade() -> None:
    """Drop the rollup columns and their indexes (the reviews they came from stay)."""
    op.drop_index("ix_item_states_unsafe", table_name="item_states")
    op.drop_index("ix_item_states_class", table_name="item_states")
    with op.batch_alter_table("item_states") as batch_op:
        batch_op.drop_column("last_unsafe")
        batch_op.drop_column("unsafe_picks")
        batch_op.drop_column("first_correct")
