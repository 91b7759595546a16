"""The signed-in student's assignments with progress, for any page's template (`my_assignments()`)."""

from __future__ import annotations

from flask_login import current_user

from webapp.classes.assignments import StudentAssignment, assignments_of
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.models import utcnow


def my_assignments() -> list[StudentAssignment]:
    """The current student's assignments (none for visitors and instructors)."""
    if not getattr(current_user, "is_authenticated", False) or current_user.is_instructor:
        return []
    return assignments_of(get_session(), get_bank(), current_user.id, utcnow())
