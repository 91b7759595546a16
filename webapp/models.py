"""SQLAlchemy 2.0 typed models: users, classes, enrolments, item states, reviews.

Item ids are the stable question ids from `quizzes`; the question bank is never
copied into tables, so a review of an item that later leaves the course is kept
and shown as retired. Times are stored and returned as aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ITEM_ID = String(120)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(dt.timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    """The current time, aware and in UTC (the only clock read in webapp models)."""
    return dt.datetime.now(dt.timezone.utc)


def session_token(user_id: int, version: int, password_hash: str) -> str:
    """`<id>:<version>:<fingerprint of the password hash>` (see `User.get_id`)."""
    fingerprint = hashlib.sha256(password_hash.encode()).hexdigest()[:16]
    return f"{user_id}:{version}:{fingerprint}"


class Base(DeclarativeBase):
    """Declarative base of every table."""


class User(Base):
    """A student or an instructor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16), default="student")  # student | instructor
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped to end every session of the user at once (log-out, password change,
    # reset, disable): the session cookie names the version it was issued for.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Set when a learner deleted an account the school keeps anonymised: the row
    # stays so class figures keep its reviews, but no one can log in as it.
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="user", cascade="all, delete-orphan")

    # Flask-Login's user protocol, written out so the model owns no Flask import.
    @property
    def is_authenticated(self) -> bool:
        """Every stored user is a signed-in user once loaded."""
        return True

    @property
    def is_active(self) -> bool:
        """False for an account its learner deleted (kept anonymised): it cannot log in."""
        return self.deleted_at is None

    @property
    def is_anonymous(self) -> bool:
        """A stored user is never anonymous."""
        return False

    def get_id(self) -> str:
        """The token Flask-Login keeps in the session: id, session version and a password fingerprint.

        The loader accepts a session only while all three still match, so
        logging out (which bumps the version) or any change of the password
        hash, even one made straight in the database, ends the old sessions.
        """
        return session_token(self.id, self.session_version or 0, self.password_hash)

    @property
    def is_instructor(self) -> bool:
        """True for instructors."""
        return self.role == "instructor"


class SchoolClass(Base):
    """A class an instructor runs; students join it with its join code."""

    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    desired_retention: Mapped[float] = mapped_column(Float, default=0.90)
    daily_new_limit: Mapped[int] = mapped_column(Integer, default=20)
    exam_date: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    modules: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty list: every module
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    instructor: Mapped[User] = relationship()
    enrollments: Mapped[list[Enrollment]] = relationship(back_populates="school_class", cascade="all, delete-orphan")


class Enrollment(Base):
    """A student's membership of a class."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_enrollment_class_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    school_class: Mapped[SchoolClass] = relationship(back_populates="enrollments")
    user: Mapped[User] = relationship(back_populates="enrollments")


class ItemState(Base):
    """A learner's FSRS memory state of one item (key: user, item id)."""

    __tablename__ = "item_states"
    __table_args__ = (Index("ix_item_states_user_due", "user_id", "due"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ITEM_ID, primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON)  # fsrs Card.to_dict()
    due: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Copied out of `card` so aggregates (mastery, difficulty) stay in SQL.
    state: Mapped[int] = mapped_column(Integer)  # fsrs State: 1 learning, 2 review, 3 relearning
    stability: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    difficulty: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    last_review: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    # The item's module when last reviewed, so per-module aggregates (mastery,
    # the class heatmap) are a GROUP BY; a retired item keeps its old module.
    module: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)


class Review(Base):
    """One answered question. `presentation_id` makes a double submit record once."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_user_time", "user_id", "reviewed_at"),
        Index("ix_reviews_item", "item_id"),
        Index("ix_reviews_user_item", "user_id", "item_id"),
        # Item analysis reads only first attempts: a partial index holds just
        # those, with the result, so a class's share is an index-only scan.
        Index(
            "ix_reviews_first_attempt",
            "user_id",
            "item_id",
            "result",
            sqlite_where=text("attempt = 1"),
            postgresql_where=text("attempt = 1"),
        ),
        # The dashboard's "unsafe answers" list reads only these few rows.
        Index(
            "ix_reviews_unsafe",
            "user_id",
            "item_id",
            sqlite_where=text("unsafe_chosen"),
            postgresql_where=text("unsafe_chosen"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(ITEM_ID)
    presentation_id: Mapped[str] = mapped_column(String(64), unique=True)
    reviewed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    response: Mapped[Any] = mapped_column(JSON)
    result: Mapped[str] = mapped_column(String(16))  # correct | partial | incorrect
    score: Mapped[float] = mapped_column(Float)
    rating: Mapped[int] = mapped_column(Integer)  # fsrs Rating 1..4 (after any override)
    response_ms: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)  # 1 for the learner's first try of the item
    state_before: Mapped[int] = mapped_column(Integer)  # 0 new, else fsrs State before the review
    unsafe_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="web")  # web | anki | synthetic
    question_type: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    module: Mapped[Optional[str]] = mapped_column(String(80), nullable=True)
    # The fsrs card before this review (None for a new item): a rating override
    # re-schedules from it, so the override is exact rather than stacked.
    card_before: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    auto_rating: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)  # before any override


class ReviewChoice(Base):
    """An option picked in a choice question, kept for item analysis in SQL."""

    __tablename__ = "review_choices"
    __table_args__ = (Index("ix_review_choices_item_option", "item_id", "option_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    item_id: Mapped[str] = mapped_column(ITEM_ID)
    unsafe: Mapped[bool] = mapped_column(Boolean, default=False)


class PasswordReset(Base):
    """A one-time password reset link an instructor issued for a student.

    Only the SHA-256 of the token is stored, so a copy of the database (or a
    backup) opens no account; the link works once, until `expires_at`.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
