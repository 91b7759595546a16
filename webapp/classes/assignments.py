"""Assignments: which items one covers, each student's progress, and the planner's priority set.

Completion rules:
- "study": every item of the assignment (its lessons, else its modules, else
  the class's modules) seen at least once (in the app only, when the class does
  not count answers from Anki: `SchoolClass.anki_counts`); with a recall target, also the mean
  predicted recall (FSRS retrievability on the due date's end, 0 for an item
  never studied: no prior here, work not done is not ready) of the targeted
  items (the safety-critical ones when `safety_only`) at or above it.
  The completion date is when the last item was first met, or when the
  assignment was set if that is later (never a date before it existed).
- "exam": a finished practice exam started from the assignment, scoring at
  least `min_score` (any finished one when there is none); the best counts.
Work is overdue when it is incomplete after its due date (UTC).

Priority: items of incomplete study assignments due within `PRIORITY_DAYS`
(or overdue) go first in the planner (`quizzes.planner.Limits.priority`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask import g
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from quizzes.scheduling import retrievability
from webapp.classes.settings import modules_of
from webapp.platform.models import Assignment, Enrollment, Exam, ItemState, Review, SchoolClass, as_utc

PRIORITY_DAYS = 7


@dataclass(frozen=True)
class Progress:
    """One student's progress on one assignment."""

    seen: int
    total: int
    recall: float | None  # mean predicted recall of the targeted items on the due date
    score: float | None  # best finished exam score
    complete: bool
    completed_at: dt.datetime | None

    @property
    def share(self) -> float:
        """How far along (0..1): items seen, or the best score against the minimum."""
        return self.seen / self.total if self.total else (1.0 if self.complete else 0.0)


def due_moment(assignment: Assignment) -> dt.datetime:
    """The end of the due date, UTC."""
    return dt.datetime.combine(assignment.due_on, dt.time(23, 59, 59), tzinfo=dt.timezone.utc)


def is_overdue(assignment: Assignment, progress: Progress, now: dt.datetime) -> bool:
    """Incomplete after its due date."""
    return not progress.complete and now > due_moment(assignment)


def assignment_items(bank: Bank, assignment: Assignment, class_modules: Iterable[str] = ()) -> list[str]:
    """The item ids a study assignment covers, in bank order."""
    if assignment.lessons:
        return [q.id for lesson in assignment.lessons for q in bank.by_lesson(lesson)]
    modules = set(modules_of(assignment.modules or list(class_modules), bank.course))
    return [q.id for q in bank.questions if q.module in modules]


def progress(session: Session, bank: Bank, assignment: Assignment, user_id: int,
             cards: Mapping[str, Mapping[str, Any]] | None = None) -> Progress:
    """The student's progress (`cards`: their item cards, when the caller has loaded them)."""
    if assignment.kind == "exam":
        return _exam_progress(session, assignment, user_id)
    items = assignment_items(bank, assignment, assignment.school_class.modules)
    if cards is None:
        rows = session.execute(select(ItemState.item_id, ItemState.card).where(
            ItemState.user_id == user_id, ItemState.item_id.in_(items)))
        cards = {item: card for item, card in rows}
    in_app: dict[str, Any] | None = None
    if not assignment.school_class.anki_counts:
        # The class counts only answers given in the app: an item met only in Anki is not met.
        in_app = dict(session.execute(
            select(Review.item_id, func.min(Review.reviewed_at)).where(
                Review.user_id == user_id, Review.item_id.in_(items), Review.source != "anki")
            .group_by(Review.item_id)).all())
        cards = {item: card for item, card in cards.items() if item in in_app}
    seen = [item for item in items if item in cards]
    recall = None
    met = len(seen) == len(items)
    if assignment.recall_target is not None:
        target = [i for i in items if not assignment.safety_only or bank.get(i).safety_critical]  # type: ignore[union-attr]
        on = due_moment(assignment)
        recall = sum(retrievability(cards[i], on) if i in cards else 0.0 for i in target) / len(target) if target else 1.0
        met = met and recall >= assignment.recall_target
    completed_at = None
    if met and items:
        last_met = max(map(as_utc, in_app.values())) if in_app else session.scalar(
            select(func.max(Review.reviewed_at)).where(
                Review.user_id == user_id, Review.item_id.in_(items), Review.attempt == 1))
        # Work met before the assignment was set (earlier study, or an imported Anki history
        # dated in the past) completes it when it was set, never before it existed.
        completed_at = max(as_utc(last_met), assignment.created_at) if last_met is not None else assignment.created_at
    return Progress(len(seen), len(items), recall, None, met, completed_at)


def _exam_progress(session: Session, assignment: Assignment, user_id: int) -> Progress:
    best = session.execute(
        select(Exam.score, Exam.finished_at).where(
            Exam.user_id == user_id, Exam.assignment_id == assignment.id, Exam.score.is_not(None))
        .order_by(Exam.score.desc(), Exam.finished_at).limit(1)
    ).first()
    if best is None:
        return Progress(0, 0, None, None, False, None)
    score, finished = float(best[0] or 0.0), best[1]
    passed = assignment.min_score is None or score >= assignment.min_score - 1e-9
    return Progress(0, 0, None, score, passed, finished if passed else None)


# Read on every student page (the banner): built once, not per request.
_STUDENT_ASSIGNMENTS = (
    select(Assignment)
    .join(SchoolClass, SchoolClass.id == Assignment.class_id)
    .join(Enrollment, Enrollment.class_id == SchoolClass.id)
    .where(Enrollment.user_id == bindparam("user_id"), SchoolClass.archived.is_(False))
    .order_by(Assignment.due_on, Assignment.id)
)


def student_assignments(session: Session, user_id: int) -> list[Assignment]:
    """Assignments of the student's open classes, soonest due first."""
    return list(session.scalars(_STUDENT_ASSIGNMENTS, {"user_id": user_id}))


def class_assignment_for_student(session: Session, user_id: int, assignment_id: int) -> Assignment | None:
    """The assignment, if it was set to one of the student's open classes."""
    return next((a for a in student_assignments(session, user_id) if a.id == assignment_id), None)


def class_assignments(session: Session, class_id: int) -> list[Assignment]:
    """A class's assignments, soonest due first."""
    return list(session.scalars(
        select(Assignment).where(Assignment.class_id == class_id).order_by(Assignment.due_on, Assignment.id)))


def priority_items(bank: Bank, assigned: Iterable[tuple[Assignment, Progress]], now: dt.datetime) -> frozenset[str]:
    """Items the planner should put first: those of incomplete study work due within `PRIORITY_DAYS`.

    `assigned`: the student's assignments with their progress (`assignments_of` has them once per request).
    """
    soon = (now + dt.timedelta(days=PRIORITY_DAYS)).date()
    wanted: set[str] = set()
    for assignment, done in assigned:
        if assignment.kind == "study" and assignment.due_on <= soon and not done.complete:
            wanted.update(assignment_items(bank, assignment, assignment.school_class.modules))
    return frozenset(wanted)


@dataclass(frozen=True)
class StudentAssignment:
    """One assignment as the student sees it."""

    assignment: Assignment
    progress: Progress
    overdue: bool
    days_left: int


def assignments_of(session: Session, bank: Bank, user_id: int, now: dt.datetime) -> list[StudentAssignment]:
    """One student's assignments with their progress, worked out once per request.

    The page's banner and the planner both need them; the first caller computes, the second reads.
    """
    cache: dict[int, list[StudentAssignment]] = g.setdefault("assignments_of", {})
    if user_id not in cache:
        rows = []
        for assignment in student_assignments(session, user_id):
            done = progress(session, bank, assignment, user_id)
            rows.append(StudentAssignment(assignment, done, is_overdue(assignment, done, now),
                                          (assignment.due_on - now.date()).days))
        cache[user_id] = rows
    return cache[user_id]


def priority_for(session: Session, bank: Bank, user_id: int, now: dt.datetime) -> frozenset[str]:
    """The items the planner puts first for this student (the rule: `priority_items`)."""
    return priority_items(bank, ((row.assignment, row.progress) for row in assignments_of(session, bank, user_id, now)), now)
