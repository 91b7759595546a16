"""Question reports stay with the classes they were written to, and replies have a read state.

Revision ID: 0015
Revises: 0014

`report_classes` records, when a report is made, the reporter's classes; an
instructor's list reads it instead of today's roster, so a report is kept after
its student leaves. Existing reports are given the classes whose students they
were visible to before (joined on or before the report). `reply_seen_at` tells
the reporter's nav how many replies are new; replies already given count as
seen, so nobody is told of old news.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create report_classes (backfilled from enrolments) and add question_reports.reply_seen_at."""
    op.create_table(
        "report_classes",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["question_reports.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["class_id"], ["classes.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "class_id"),
    )
    op.create_index("ix_report_classes_class_id", "report_classes", ["class_id"], unique=False)
    op.execute(
        "INSERT INTO report_classes (report_id, class_id) "
        "SELECT r.id, e.class_id FROM question_reports r "
        "JOIN enrollments e ON e.user_id = r.user_id AND r.created_at >= e.joined_at"
    )
    with op.batch_alter_table("question_reports") as batch:
        batch.add_column(sa.Column("reply_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE question_reports SET reply_seen_at = handled_at WHERE handled_at IS NOT NULL")


def downgrade() -> None:
    """Drop the read state and report_classes (reports of students who left disappear from lists again)."""
    with op.batch_alter_table("question_reports") as batch:
        batch.drop_column("reply_seen_at")
    op.drop_index("ix_report_classes_class_id", table_name="report_classes")
    op.drop_table("report_classes")
