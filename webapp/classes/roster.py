"""A class's roster: who is enrolled, by name, as every instructor page and export lists them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.platform.models import Enrollment, User

Enrolment = tuple[int, str, str, dt.datetime]  # user id, display name, email, joined at


def members(session: Session, class_id: int) -> list[tuple[int, str, str]]:
    """(user id, display name, email) of the class's students, by name."""
    return [(uid, name, email) for uid, name, email, _ in enrolments(session, class_id)]


def enrolments(session: Session, class_id: int) -> list[Enrolment]:
    """(user id, display name, email, joined at) of the class's students, by name."""
    rows = session.execute(
        select(User.id, User.display_name, User.email, Enrollment.joined_at)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.class_id == class_id)
        .order_by(User.display_name, User.id)
    ).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]
