"""The study settings a learner's classes set.

A student may study with no class at all (config defaults). With classes, the
most recently joined open class sets desired retention and the daily new limit,
and the modules studied are the union of every open class's modules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, TypeVarTuple, Unpack

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from course.models import Course
from webapp.platform.models import Enrollment, SchoolClass

_Row = TypeVarTuple("_Row")


def studies_everything(chosen: Iterable[str] | None) -> bool:
    """The one rule: a class (or an assignment) that chose no modules studies every module of the course.

    Stored as an empty list rather than the list of today's modules, so a module
    added to the course later is studied too.
    """
    return not chosen


def modules_of(chosen: Iterable[str] | None, course: Course) -> list[str]:
    """The module ids that a choice of modules covers, in course order (`studies_everything` when none)."""
    wanted = set(chosen or ())
    return [module.id for module in course.modules if studies_everything(wanted) or module.id in wanted]


def settings_modules(chosen: Iterable[str] | None) -> frozenset[str] | None:
    """A class's choice as `StudySettings.modules`: None for every module."""
    return None if studies_everything(chosen) else frozenset(chosen or ())


@dataclass(frozen=True)
class StudySettings:
    """What governs one learner's study: retention, new cards a day, modules (None: all)."""

    desired_retention: float
    new_per_day: int
    modules: frozenset[str] | None
    class_names: tuple[str, ...] = ()


# Table columns (Core), not ORM attributes: every study request reads the settings,
# and the ORM's statement and result handling cost more than the query itself.
_classes = SchoolClass.__table__.c
_enrollments = Enrollment.__table__.c


def _open(columns: Select[Unpack[_Row]]) -> Select[Unpack[_Row]]:
    """`columns` of the learner's (`user_id`) classes that are not archived, most recently joined first."""
    return (
        columns.join_from(SchoolClass.__table__, Enrollment.__table__, _enrollments.class_id == _classes.id)
        .where(_enrollments.user_id == bindparam("user_id"), _classes.archived.is_(False))
        .order_by(_enrollments.joined_at.desc(), _enrollments.id.desc())
    )


_OPEN_CLASSES = _open(select(SchoolClass))
# Four columns, not whole class objects, in a statement built once.
_OPEN_SETTINGS = _open(select(_classes.name, _classes.desired_retention, _classes.daily_new_limit, _classes.modules))


def open_classes(session: Session, user_id: int) -> list[SchoolClass]:
    """The learner's classes that are not archived, most recently joined first."""
    return list(session.scalars(_OPEN_CLASSES, {"user_id": user_id}))


def study_settings(session: Session, user_id: int, default_retention: float, default_new_limit: int) -> StudySettings:
    """The settings that apply to `user_id` now (defaults when in no open class)."""
    classes = session.execute(_OPEN_SETTINGS, {"user_id": user_id}).all()
    if not classes:
        return StudySettings(default_retention, default_new_limit, None)
    latest = classes[0]
    modules: set[str] | None = set()
    for school_class in classes:
        if studies_everything(school_class.modules):
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
