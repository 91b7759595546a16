"""Joining, leaving and removal, with what each does to an instructor's undo and reset links.

Rules:
- Undo lives on the server (`RosterUndo`): a removal or a replaced join code
  can be undone once, by the instructor who made it, for `ROSTER_UNDO_MINUTES`.
  Spending it is a conditional DELETE, so a second click (or a replayed form)
  finds nothing to spend.
- Leaving a class, or joining it again, voids any undo of the student's
  removal: only the student decides to be back in a class they left.
- Leaving or removal revokes every unused reset link the class's instructor
  issued for the student, so a link made while they were enrolled cannot open
  their account once they are not (`accounts.profile.resets` also checks, when a
  link is used, that its issuer still teaches the student).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from webapp.platform.models import Enrollment, PasswordReset, RosterUndo, SchoolClass, User

REMOVAL = "removal"
CODE = "code"


def _void_removals(session: Session, class_id: int, user_id: int) -> None:
    session.execute(delete(RosterUndo).where(RosterUndo.class_id == class_id, RosterUndo.user_id == user_id,
                                             RosterUndo.kind == REMOVAL))


def revoke_resets(session: Session, instructor_id: int, user_id: int) -> None:
    """Delete the unused reset links `instructor_id` issued for the student (the caller commits)."""
    session.execute(delete(PasswordReset).where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None),
                                                PasswordReset.issued_by == instructor_id))


def join(session: Session, school_class: SchoolClass, user_id: int) -> bool:
    """Enrol the student (False: they already were); a pending undo of their removal is void. Commits."""
    _void_removals(session, school_class.id, user_id)
    present = session.scalar(select(Enrollment.id).where(Enrollment.class_id == school_class.id,
                                                         Enrollment.user_id == user_id))
    if present is None:
        session.add(Enrollment(class_id=school_class.id, user_id=user_id))
    session.commit()
    return present is None


def leave(session: Session, enrollment: Enrollment, school_class: SchoolClass) -> None:
    """The student leaves: the enrolment, any undo of a removal and the instructor's reset links go. Commits."""
    _void_removals(session, school_class.id, enrollment.user_id)
    revoke_resets(session, school_class.instructor_id, enrollment.user_id)
    session.delete(enrollment)
    session.commit()


def _undo_row(school_class: SchoolClass, kind: str, now: dt.datetime, minutes: float, **fields: object) -> RosterUndo:
    return RosterUndo(class_id=school_class.id, instructor_id=school_class.instructor_id, kind=kind, created_at=now,
                      expires_at=now + dt.timedelta(minutes=minutes), **fields)


def remove(session: Session, enrollment: Enrollment, school_class: SchoolClass, now: dt.datetime,
           minutes: float) -> None:
    """The instructor takes the student off the roster, undoable for `minutes`; reset links go. Commits."""
    user_id = enrollment.user_id
    _void_removals(session, school_class.id, user_id)
    revoke_resets(session, school_class.instructor_id, user_id)
    session.add(_undo_row(school_class, REMOVAL, now, minutes, user_id=user_id, joined_at=enrollment.joined_at))
    session.delete(enrollment)
    session.commit()


def _spend(session: Session, school_class: SchoolClass, kind: str, now: dt.datetime,
           user_id: int | None = None) -> RosterUndo | None:
    """The class's newest live undo of `kind` (for `user_id`), deleted so no one spends it again (no commit)."""
    query = select(RosterUndo).where(RosterUndo.class_id == school_class.id, RosterUndo.kind == kind,
                                     RosterUndo.instructor_id == school_class.instructor_id, RosterUndo.expires_at > now)
    if user_id is not None:
        query = query.where(RosterUndo.user_id == user_id)
    undo = session.scalar(query.order_by(RosterUndo.id.desc()).limit(1))
    if undo is None:
        return None
    spent = session.execute(delete(RosterUndo).where(RosterUndo.id == undo.id))
    if not isinstance(spent, CursorResult) or spent.rowcount != 1:  # another request spent it first
        return None
    return undo


def readd(session: Session, school_class: SchoolClass, user_id: int, now: dt.datetime) -> bool:
    """Undo the student's removal, with their original join date, if it is still undoable. Commits."""
    undo = _spend(session, school_class, REMOVAL, now, user_id)
    present = session.scalar(select(Enrollment.id).where(Enrollment.class_id == school_class.id,
                                                         Enrollment.user_id == user_id))
    if undo is None or undo.joined_at is None or present is not None or session.get(User, user_id) is None:
        session.rollback()
        return False
    session.add(Enrollment(class_id=school_class.id, user_id=user_id, joined_at=undo.joined_at))
    session.commit()
    return True


def replace_code(session: Session, school_class: SchoolClass, new_code: str, now: dt.datetime, minutes: float) -> None:
    """Give the class `new_code`, keeping the old one restorable for `minutes`. Commits."""
    session.execute(delete(RosterUndo).where(RosterUndo.class_id == school_class.id, RosterUndo.kind == CODE))
    session.add(_undo_row(school_class, CODE, now, minutes, old_code=school_class.join_code))
    school_class.join_code = new_code
    session.commit()


def restore_code(session: Session, school_class: SchoolClass, now: dt.datetime) -> str | None:
    """Bring back the replaced code (once, while undoable and no other class took it); the code, or None. Commits."""
    undo = _spend(session, school_class, CODE, now)
    old = undo.old_code if undo is not None else None
    if old is None or session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == old)) is not None:
        session.commit()  # spent either way: a code another class holds never comes back
        return None
    school_class.join_code = old
    session.commit()
    return old


def pending(session: Session, school_class: SchoolClass, now: dt.datetime) -> tuple[User | None, str | None]:
    """What the instructor can undo now: the last removed student still out, and the replaced code."""
    live = select(RosterUndo).where(RosterUndo.class_id == school_class.id, RosterUndo.expires_at > now,
                                    RosterUndo.instructor_id == school_class.instructor_id)
    removal = session.scalar(live.where(RosterUndo.kind == REMOVAL).order_by(RosterUndo.id.desc()).limit(1))
    code = session.scalar(live.where(RosterUndo.kind == CODE).order_by(RosterUndo.id.desc()).limit(1))
    removed = session.get(User, removal.user_id) if removal is not None and removal.user_id is not None else None
    return removed, code.old_code if code is not None else None
