"""The study settings a learner's classes set.

A student may study with no class at all (config defaults). With classes, the
most recently joined open class sets desired retention and the daily new limit,
and the modules studied are the union of every open class's modules.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.models import Enrollment, SchoolClass


@dataclass(frozen=True)
class StudySettings:
    """What governs one learner's study: retention, new cards a day, modules (None: all)."""

    desired_retention: float
    new_per_day: int
    modules: frozenset[str] | None
    class_names: tuple[str, ...] = ()


def open_classes(session: Session, user_id: int) -> list[SchoolClass]:
    """The learner's classes that are not archived, most recently joined first."""
    return list(
        session.scalars(
            select(SchoolClass)
            .join(Enrollment, Enrollment.class_id == SchoolClass.id)
            .where(Enrollment.user_id == user_id, SchoolClass.archived.is_(False))
            .order_by(Enrollment.joined_at.desc(), Enrollment.id.desc())
        )
    )


def study_settings(session: Session, user_id: int, default_retention: float, default_new_limit: int) -> StudySettings:
    """The settings that apply to `user_id` now (defaults when in no open class)."""
    classes = open_classes(session, user_id)
    if not classes:
        return StudySettings(default_retention, default_new_limit, None)
    latest = classes[0]
    modules: set[str] | None = set()
    for school_class in classes:
        if not school_class.modules:  # an empty list means the whole course
            modules = None
            break
        modules.update(school_class.modules)  # type: ignore[union-attr]
    return StudySettings(
        desired_retention=latest.desired_retention,
        new_per_day=latest.daily_new_limit,
        modules=frozenset(modules) if modules is not None else None,
        class_names=tuple(c.name for c in classes),
    )


def find_class_by_code(session: Session, code: str) -> SchoolClass | None:
    """The class with this join code, ignoring case and surrounding spaces."""
    normalised = code.strip().upper()
    return session.scalar(select(SchoolClass).where(func.upper(SchoolClass.join_code) == normalised))
