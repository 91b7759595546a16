"""The signed-in student's assignments with progress, for any page's template (`my_assignments()`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import g
from flask_login import current_user

from webapp.assignments.service import Progress, is_overdue, priority_items, progress, student_assignments
from webapp.content import get_bank
from webapp.db import get_session
from webapp.models import Assignment, utcnow


@dataclass(frozen=True)
class StudentAssignment:
    """One assignment as the student sees it."""

    assignment: Assignment
    progress: Progress
    overdue: bool
    days_left: int


def my_assignments() -> list[StudentAssignment]:
    """The current student's assignments (none for visitors and instructors), once per request."""
    if not getattr(current_user, "is_authenticated", False) or current_user.is_instructor:
        return []
    if "my_assignments" not in g:
        session, bank, now = get_session(), get_bank(), utcnow()
        rows = []
        for assignment in student_assignments(session, current_user.id):
            done = progress(session, bank, assignment, current_user.id)
            rows.append(StudentAssignment(assignment, done, is_overdue(assignment, done, now),
                                          (assignment.due_on - now.date()).days))
        g.my_assignments = rows
    result: list[StudentAssignment] = g.my_assignments
    return result


def my_priority_items(now: dt.datetime) -> frozenset[str]:
    """The items the planner puts first for the current student (the rule: `service.priority_items`).

    Read from `my_assignments`, so a study page works out each assignment's progress once, for the
    banner and the planner alike.
    """
    return priority_items(get_bank(), ((row.assignment, row.progress) for row in my_assignments()), now)
