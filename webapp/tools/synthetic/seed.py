"""Fill a database with a synthetic school: people first, then each student's simulated study.

Used by `massage-course seed-synthetic` (thousands of students) and by the
first-run demo (six). The people (instructors, classes, students, enrolments)
go in one transaction; then students are simulated and written in batches, one
transaction per batch, so an interrupted run leaves whole students only.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from webapp.classes.codes import unused_join_code
from webapp.classes.settings import StudySettings, settings_modules
from webapp.platform.db import make_engine
from webapp.platform.errors import WebappError
from webapp.platform.models import Enrollment, SchoolClass, User
from webapp.tools.synthetic.bulkwrite import RowCounts, insert_chunked, insert_returning_ids, write_histories
from webapp.tools.synthetic.school import Naming, SchoolPlan, plan_school
from webapp.tools.synthetic.simulate import Student, item_offsets, simulate_student

USERS: Table = User.__table__  # type: ignore[assignment]  # declarative tables are Tables
CLASSES: Table = SchoolClass.__table__  # type: ignore[assignment]
ENROLLMENTS: Table = Enrollment.__table__  # type: ignore[assignment]
# Students per write transaction: a few thousand reviews each, so a batch is
# tens of thousands of rows, and a crash loses at most one batch.
BATCH_STUDENTS = 25


class SeedError(WebappError):
    """The synthetic school cannot be written here; the message says why."""


@dataclass
class SeedResult:
    """What a run created."""

    instructors: int = 0
    classes: int = 0
    students: int = 0
    rows: RowCounts = field(default_factory=RowCounts)
    instructor_ids: list[int] = field(default_factory=list)
    class_ids: list[int] = field(default_factory=list)
    student_ids: list[int] = field(default_factory=list)


def _people(connection: Connection, plan: SchoolPlan, password_hash: str, now: dt.datetime) -> tuple[list[int], list[int], list[int]]:
    """Insert instructors, classes, students and enrolments; returns their ids."""
    taken = connection.scalar(
        select(USERS.c.email).where(USERS.c.email.in_([e for e, _ in plan.instructors] + [s.email for s in plan.students[:1]]))
    )
    if taken is not None:
        raise SeedError(f"an account {taken} already exists: this seed was written here before; choose another --seed")
    earliest = min((c.start for c in plan.classes), default=now)
    instructor_ids = insert_returning_ids(connection, USERS, [
        {"email": email, "display_name": name, "role": "instructor", "password_hash": password_hash,
         "created_at": earliest - dt.timedelta(days=7), "is_demo": True}
        for email, name in plan.instructors
    ])
    session = Session(bind=connection)  # unused_join_code asks the database which codes are free
    class_ids = insert_returning_ids(connection, CLASSES, [
        {"name": c.name, "instructor_id": instructor_ids[c.instructor], "join_code": unused_join_code(session),
         "desired_retention": c.desired_retention, "daily_new_limit": c.daily_new_limit,
         "exam_date": c.exam_date, "modules": list(c.modules), "archived": False,
         "created_at": c.start - dt.timedelta(days=1)}
        for c in plan.classes
    ])
    student_ids = insert_returning_ids(connection, USERS, [
        {"email": s.email, "display_name": s.name, "role": "student", "password_hash": password_hash,
         "created_at": s.joined - dt.timedelta(minutes=5), "is_demo": True}
        for s in plan.students
    ])
    insert_chunked(connection, ENROLLMENTS, [
        {"class_id": class_id, "user_id": student_ids[i], "joined_at": plan.students[i].joined}
        for class_id, c in zip(class_ids, plan.classes) for i in c.students
    ])
    return instructor_ids, class_ids, student_ids


def _students(plan: SchoolPlan, student_ids: Sequence[int]) -> list[Student]:
    students: list[Student] = []
    for c in plan.classes:
        settings = StudySettings(c.desired_retention, c.daily_new_limit, settings_modules(c.modules))
        for i in c.students:
            s = plan.students[i]
            students.append(Student(student_ids[i], s.seed, s.learner, settings, s.joined))
    return students


def _batches(items: Sequence[Student], size: int) -> Iterator[Sequence[Student]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _Context:
    """What simulating and writing a batch needs; one per process."""

    engine: Engine
    bank: Bank
    offsets: dict[str, float]
    now: dt.datetime
    safety_retention: float


# Set before the worker processes fork, so they inherit the bank without pickling it.
_CONTEXT: _Context | None = None


def _init_worker(url: str) -> None:
    # A forked child must not share the parent's pooled connections.
    assert _CONTEXT is not None
    _CONTEXT.engine = make_engine(url)


def _simulate_and_write(batch: Sequence[Student]) -> tuple[int, RowCounts]:
    """Simulate a batch of students and write it in one transaction (in whichever process)."""
    context = _CONTEXT
    assert context is not None
    histories = [
        simulate_student(student, context.bank, context.offsets, context.now, context.safety_retention)
        for student in batch
    ]
    with context.engine.begin() as connection:
        return len(batch), write_histories(connection, histories)


def _run_batches(context: _Context, students: Sequence[Student], workers: int) -> Iterator[tuple[int, RowCounts]]:
    global _CONTEXT
    _CONTEXT = context
    try:
        batches = list(_batches(students, BATCH_STUDENTS))
        if workers <= 1 or len(batches) < 2:
            yield from map(_simulate_and_write, batches)
            return
        # Each worker simulates a batch and writes it itself: the write lock
        # (IMMEDIATE on SQLite, a table lock on PostgreSQL) takes turns while
        # the other worker simulates, and no history is pickled between processes.
        url = context.engine.url.render_as_string(hide_password=False)
        with multiprocessing.get_context("fork").Pool(workers, _init_worker, (url,)) as pool:
            yield from pool.imap_unordered(_simulate_and_write, batches)
    finally:
        _CONTEXT = None


def seed_school(engine: Engine, bank: Bank, *, students: int, days: int, seed: int, now: dt.datetime,
                password_hash: str, classes: int | None = None, naming: Naming = Naming(),
                safety_retention: float = 0.95, workers: int = 1,
                progress: Callable[[int], object] | None = None) -> SeedResult:
    """Create a synthetic school and `days` of study ending at `now`.

    Args:
        engine: the (migrated) database.
        bank: the course's question bank.
        students: how many students.
        days: how many days of history before `now`.
        seed: the random seed; the same seed gives the same school and history
            (review ids may interleave differently between batches when workers > 1).
        now: the end of the history (aware UTC).
        password_hash: the hash every created account gets (one hash: argon2 is slow by design).
        classes: how many classes (None: classes of 20-40).
        naming: names and emails of the created people.
        safety_retention: retention of safety-critical items, as the app's config.
        workers: processes that simulate and write (1: all in this process).
        progress: called with the number of students written after each batch.

    Raises:
        SeedError: this seed's accounts exist already.
    """
    module_ids = [module.id for module in bank.modules]
    plan = plan_school(seed, students, days, now, module_ids, classes=classes, naming=naming)
    with engine.begin() as connection:
        instructor_ids, class_ids, student_ids = _people(connection, plan, password_hash, now)
    result = SeedResult(len(instructor_ids), len(class_ids), len(student_ids),
                        instructor_ids=instructor_ids, class_ids=class_ids, student_ids=student_ids)
    context = _Context(engine, bank, item_offsets(bank, seed), now, safety_retention)
    for done, rows in _run_batches(context, _students(plan, student_ids), workers):
        result.rows.add(rows)
        if progress is not None:
            progress(done)
    _analyze(engine)
    return result


def _analyze(engine: Engine) -> None:
    """Refresh the query planner's statistics after a bulk load.

    Without it PostgreSQL plans a class's item analysis as a scan of every
    review (about 8x slower on the 2,000-student school) until autovacuum comes by.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE users, classes, enrollments, item_states, reviews, review_choices, review_activity")
        elif connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA analysis_limit=1000")  # sampled: seconds, not minutes, on GBs
            connection.exec_driver_sql("ANALYZE")
