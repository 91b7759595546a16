"""Accounts by email: verified addresses, email links (verify, reset, change), reminder and digest choices.

Revision ID: 0016
Revises: 0015

Existing accounts start unverified, with study reminders off and the digest and
report-reply emails on (each message carries its one-click unsubscribe).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the users' email columns and create email_tokens."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reminder_hour", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reminder_sent_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("digest_emails", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("digest_sent_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reply_emails", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "email_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_email_tokens_user_id", "email_tokens", ["user_id"], unique=False)
    # Reminders are picked by hour each run: only the opted-in few are read.
    op.create_index("ix_users_reminder_hour", "users", ["reminder_hour"], unique=False,
                    sqlite_where=sa.text("reminder_hour IS NOT NULL"),
                    postgresql_where=sa.text("reminder_hour IS NOT NULL"))


def downgrade() -> None:
    """Drop email_tokens and the users' email columns (choices and pending links are forgotten)."""
    op.drop_index("ix_users_reminder_hour", table_name="users")
    op.drop_index("ix_email_tokens_user_id", table_name="email_tokens")
    op.drop_table("email_tokens")
    with op.batch_alter_table("users") as batch:
        for column in ("reply_emails", "digest_sent_on", "digest_emails", "reminder_sent_on", "reminder_hour",
                       "email_verified_at"):
            batch.drop_column(column)
