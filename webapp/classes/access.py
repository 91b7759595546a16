"""Who may see what under /instructor: instructors only, and only their own classes.

A student gets 403; another instructor's class id gives 404, so class ids
reveal nothing about classes that are not yours.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass

F = TypeVar("F", bound=Callable[..., object])


def instructor_required(view: F) -> F:
    """Allow signed-in instructors; others get the login page or a 403."""

    @wraps(view)
    @login_required
    def wrapped(*args: object, **kwargs: object) -> object:
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def own_class_or_404(class_id: int) -> SchoolClass:
    """The current instructor's class with this id, or a 404."""
    school_class = get_session().scalar(
        select(SchoolClass).where(SchoolClass.id == class_id, SchoolClass.instructor_id == current_user.id)
    )
    if school_class is None:
        abort(404)
    return school_class
