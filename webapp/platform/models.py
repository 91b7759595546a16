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
    false,
    text,
    true,
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


def as_utc(value: dt.datetime | str) -> dt.datetime:
    """An aware UTC datetime from a stored value (aggregates like max() bypass the column type on SQLite: text)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class User(Base):
    """A student or an instructor."""

    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_reminder_hour", "reminder_hour", sqlite_where=text("reminder_hour IS NOT NULL"),
              postgresql_where=text("reminder_hour IS NOT NULL")),
    )

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
    # IANA zone name from the learner's browser (None until known: read as UTC).
    timezone: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    # Set when a learner deleted an account the school keeps anonymised: the row
    # stays so class figures keep its reviews, but no one can log in as it.
    deleted_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # When the owner of the address followed a link sent to it (None: never yet).
    email_verified_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # Study reminders: the hour (0-23, the learner's own zone) they asked for, None while off;
    # the local day of the last one sent, so at most one goes out a day.
    reminder_hour: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    reminder_sent_on: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    # The instructors' weekly digest and the email when a report is answered: on until unsubscribed.
    digest_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    digest_sent_on: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    reply_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

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
    # IANA zone the instructor's pages show times and days in.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Whether answers imported from Anki (self-reported: the app did not see them given) count toward
    # the class's study assignments; they always count in the learner's own memory and figures.
    anki_counts: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

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
    __table_args__ = (
        Index("ix_item_states_user_due", "user_id", "due"),
        # The class figures (item analysis, items met and mastered, exam-day recall)
        # read only these columns of a class's states: covered, so the wide rows
        # (the card's JSON) are never read.
        Index("ix_item_states_class", "user_id", "item_id", "reps", "first_correct", "difficulty", "stability", "due",
              "last_review"),
        # The overview's unsafe figures read only the few states with an unsafe pick.
        Index(
            "ix_item_states_unsafe",
            "user_id",
            "item_id",
            "unsafe_picks",
            "last_unsafe",
            sqlite_where=text("unsafe_picks > 0"),
            postgresql_where=text("unsafe_picks > 0"),
        ),
    )

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
    # Rollups of the item's reviews, kept in the answer's own write (`study.service.next_rollups`,
    # checked by `massage-course verify`), so class figures are a GROUP BY over
    # item states instead of a scan of reviews. `reps` already counts the reviews.
    first_correct: Mapped[Optional[bool]] = mapped_column(Boolean, nullable=True)  # the first attempt's result
    unsafe_picks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # answers with an unsafe option
    last_unsafe: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # "still unsafe"
    # The learner reset the card in Anki ("Forget") at this time: the FSRS memory is replayed from the
    # answers after it, as Anki's FSRS does; `reps` still counts every answer (it is the attempt count).
    memory_from: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


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
        UniqueConstraint("user_id", "anki_revlog_id", name="uq_reviews_user_anki_revlog"),
        # An upload's revlog ids looked up across accounts: the same export imported by a second account is refused.
        Index("ix_reviews_anki_revlog", "anki_revlog_id", sqlite_where=text("anki_revlog_id IS NOT NULL"),
              postgresql_where=text("anki_revlog_id IS NOT NULL")),
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
    # The Anki revlog id (milliseconds) of a review imported from Anki: unique per
    # learner, so uploading the same or an overlapping export adds it once.
    anki_revlog_id: Mapped[Optional[int]] = mapped_column(BigInteger, nullable=True)


class ReviewChoice(Base):
    """An option picked in a choice question, kept for item analysis in SQL."""

    __tablename__ = "review_choices"
    __table_args__ = (Index("ix_review_choices_item_option", "item_id", "option_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    option_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    item_id: Mapped[str] = mapped_column(ITEM_ID)
    unsafe: Mapped[bool] = mapped_column(Boolean, default=False)


class ReviewActivity(Base):
    """A learner's reviews in one UTC quarter-hour, counted: kept by `webapp.records.activity` as reviews are written.

    Every zone offset in use is a multiple of 15 minutes, so any zone's calendar
    day is a whole number of these buckets and a day's figures are a sum of rows.
    """

    __tablename__ = "review_activity"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    bucket: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)  # start of the quarter-hour
    reviews: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)  # result "correct"
    in_review: Mapped[int] = mapped_column(Integer)  # answered in FSRS review state (state_before 2)
    passed: Mapped[int] = mapped_column(Integer)  # of those, rated above Again


class AnkiImport(Base):
    """One upload of an Anki package: the job's progress, then what it imported.

    The job's state lives here, not in a worker's memory, so any worker can show
    it while the worker that received the upload does the work.
    """

    __tablename__ = "anki_imports"
    __table_args__ = (Index("ix_anki_imports_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    stage: Mapped[str] = mapped_column(String(120), default="")  # what it is doing now, for the learner
    percent: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")  # why it failed, for the learner
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    notes_found: Mapped[int] = mapped_column(Integer, default=0)  # our notes in the package
    reviews_added: Mapped[int] = mapped_column(Integer, default=0)
    reviews_known: Mapped[int] = mapped_column(Integer, default=0)  # imported by an earlier upload
    items: Mapped[int] = mapped_column(Integer, default=0)  # items the added reviews are of
    first_review: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    last_review: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # Answers the guards refused (`webapp.ankisync.guards`), and why, for the learner and their instructors.
    refused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    refused_detail: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    # Answers left out because Anki does not count them either, or they are another card of the note.
    skipped: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)


# --- Practice exams, assignments and question reports ---


class Assignment(Base):
    """Work an instructor sets a class, due on a date.

    `kind` "study": meet every item of `modules` / `lessons` at least once and,
    with `recall_target`, have the targeted items (the safety-critical ones when
    `safety_only`) at that mean predicted recall on the due date. `kind` "exam":
    a practice exam of `exam_length` items over `modules`, passed at `min_score`.
    """

    __tablename__ = "assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # study | exam
    modules: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty with no lessons: every module
    lessons: Mapped[list[str]] = mapped_column(JSON, default=list)
    recall_target: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    safety_only: Mapped[bool] = mapped_column(Boolean, default=False)
    exam_length: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    time_limit_min: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    min_score: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    school_class: Mapped[SchoolClass] = relationship()


class Exam(Base):
    """One practice exam a learner takes: its items, timing, prediction and score."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("assignments.id", ondelete="SET NULL"), nullable=True, index=True)
    modules: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: every module
    length: Mapped[int] = mapped_column(Integer)
    time_limit_min: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)  # None: not begun
    deadline: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    predicted: Mapped[float] = mapped_column(Float)  # readiness: expected score 0..1 at the start
    score: Mapped[Optional[float]] = mapped_column(Float, nullable=True)  # 0..1 once finished

    answers: Mapped[list[ExamAnswer]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamAnswer.position")


class ExamAnswer(Base):
    """One question of an exam: the response so far, the flag, and after the end the review it became."""

    __tablename__ = "exam_answers"

    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based
    item_id: Mapped[str] = mapped_column(ITEM_ID)
    response: Mapped[Optional[Any]] = mapped_column(JSON, nullable=True)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    response_ms: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    review_id: Mapped[Optional[int]] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("reviews.id", ondelete="SET NULL"), nullable=True)

    exam: Mapped[Exam] = relationship(back_populates="answers")


class QuestionReport(Base):
    """A learner's report of a problem with one item; one per learner and item."""

    __tablename__ = "question_reports"
    __table_args__ = (UniqueConstraint("user_id", "item_id", name="uq_question_reports_user_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[str] = mapped_column(ITEM_ID, index=True)
    reason: Mapped[str] = mapped_column(String(16))  # wrong-key | unclear | typo | outdated | other
    comment: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | resolved | dismissed
    reply: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    handled_by: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    handled_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    # When the reporter last saw the reply: a reply handled after it (or never seen) is new to them.
    reply_seen_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)

    reporter: Mapped[User] = relationship(foreign_keys=[user_id])


class ReportClass(Base):
    """A class whose instructor a report was written to: the reporter's classes when it was made.

    Kept when the student leaves the class, so the report stays in that
    instructor's list until it is answered.
    """

    __tablename__ = "report_classes"

    report_id: Mapped[int] = mapped_column(ForeignKey("question_reports.id", ondelete="CASCADE"), primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True, index=True)


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


class SyncToken(Base):
    """A learner's personal token for the Anki add-on: it acts for that learner alone.

    Only the SHA-256 of the token is stored (it is shown once, when made), so a
    copy of the database opens no account; revoking sets `revoked_at`, and the
    token stops working at once.
    """

    __tablename__ = "sync_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)


class RosterUndo(Base):
    """What an instructor may undo on a class for a few minutes: a student's removal, or a replaced join code.

    Kept on the server, not in the instructor's cookie, so it can be spent once
    (a conditional DELETE) and voided: leaving or rejoining the class deletes a
    removal's row, so a kept cookie or an old page cannot put a student back.
    """

    __tablename__ = "roster_undos"
    __table_args__ = (Index("ix_roster_undos_class_user", "class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"))
    instructor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # removal | code
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    joined_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)  # the removed enrolment's
    old_code: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)  # the replaced join code
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class EmailToken(Base):
    """A link sent by email: verify the address, reset the password, or confirm a new address.

    Only the SHA-256 of the token is stored (a copy of the database opens no
    account); a link works once, until `expires_at`, for its `purpose` only.
    """

    __tablename__ = "email_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16))  # verify | reset | change
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))  # the address the link was sent to
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[Optional[dt.datetime]] = mapped_column(UTCDateTime, nullable=True)
