"""A small class with hand-made history, for the instructor tests: `build_school` and its ids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizzes.questions import ChoiceQuestion
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User
from webapp.records.rollups import pair_rollups

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
PASSWORD = "correct horse battery"


@dataclass
class School:
    """Ids of the fixture's people and class."""

    teacher: int
    other_teacher: int
    ann: int
    bob: int
    cat: int
    outsider: int
    class_id: int
    other_class_id: int


def _user(session: Session, email: str, name: str, role: str = "student") -> User:
    user = User(email=email, display_name=name, role=role, password_hash=hash_password(PASSWORD))
    session.add(user)
    session.flush()
    return user


def _review(session: Session, user: User, item: str, when: dt.datetime, result: str, rating: int, attempt: int,
            state_before: int, choice: tuple[str, bool] | None = None) -> None:
    review = Review(user_id=user.id, item_id=item, presentation_id=f"{user.id}-{item}-{attempt}", reviewed_at=when,
                    response="x", result=result, score=1.0 if result == "correct" else 0.0, rating=rating,
                    response_ms=5000, attempt=attempt, state_before=state_before,
                    unsafe_chosen=bool(choice and choice[1]))
    session.add(review)
    session.flush()
    if choice:
        session.add(ReviewChoice(review_id=review.id, option_id=choice[0], item_id=item, unsafe=choice[1]))


def _state(session: Session, user: User, item: str, module: str, stability: float, due: dt.datetime,
           last: dt.datetime) -> None:
    session.add(ItemState(user_id=user.id, item_id=item, card={}, due=due, state=2, stability=stability,
                          difficulty=5.0, last_review=last, module=module))


def restate_rollups(session: Session) -> None:
    """Set every item state's count and rollups from its reviews, as the app's writers keep them.

    The fixtures write reviews by hand, past `record_answer`; the instructor
    figures read the rollups, so they are restated the way `verify` recomputes them.
    """
    session.flush()
    counts = dict(((uid, item), n) for uid, item, n in session.execute(
        select(Review.user_id, Review.item_id, func.count()).group_by(Review.user_id, Review.item_id)))
    for state in session.scalars(select(ItemState)):
        state.reps = counts.get((state.user_id, state.item_id), 0)
        for name, value in pair_rollups(session, state.user_id, state.item_id).items():
            setattr(state, name, value)


def build_school(app: Flask) -> School:
    """Two instructors; a class with Ann (keen), Bob (lapsed) and Cat (never studied)."""
    day = dt.timedelta(days=1)
    with app.app_context():
        session = get_session()
        teacher = _user(session, "teacher@example.com", "Teacher", "instructor")
        other = _user(session, "other@example.com", "Other Teacher", "instructor")
        ann, bob, cat = (_user(session, f"{n}@example.com", n.title()) for n in ("ann", "bob", "cat"))
        outsider = _user(session, "outsider@example.com", "Outsider")
        # The class began 20 days before NOW, so nobody is "just started" at NOW.
        start = NOW - 20 * day
        mine = SchoolClass(name="Spring cohort", instructor_id=teacher.id, join_code="SPRING", modules=[], created_at=start)
        theirs = SchoolClass(name="Other class", instructor_id=other.id, join_code="OTHERS", modules=[], created_at=start)
        session.add_all([mine, theirs])
        session.flush()
        session.add_all([Enrollment(class_id=mine.id, user_id=u.id, joined_at=start) for u in (ann, bob, cat)])
        session.add(Enrollment(class_id=theirs.id, user_id=outsider.id))
        _review(session, ann, "q1", NOW - day, "correct", 3, 1, 0, ("right", False))
        _review(session, ann, "q2", NOW - day, "correct", 3, 1, 0)
        _review(session, ann, "q3", NOW - day, "incorrect", 1, 1, 0)
        _review(session, ann, "q1", NOW - day / 2, "correct", 3, 2, 2)
        _review(session, bob, "q1", NOW - 10 * day, "incorrect", 1, 1, 0, ("bad", True))
        _review(session, bob, "q2", NOW - 10 * day, "correct", 3, 1, 0)
        _review(session, outsider, "q1", NOW - day, "incorrect", 1, 1, 0, ("bad", True))
        _state(session, ann, "q1", "m1", 30.0, NOW + 20 * day, NOW - day / 2)
        _state(session, ann, "q2", "m1", 5.0, NOW - day, NOW - day)
        _state(session, ann, "q3", "m2", 1.0, NOW - day / 12, NOW - day)
        _state(session, bob, "q1", "m1", 2.0, NOW - 5 * day, NOW - 10 * day)
        _state(session, bob, "q2", "m1", 25.0, NOW + 10 * day, NOW - 10 * day)
        restate_rollups(session)
        session.commit()
        return School(teacher.id, other.id, ann.id, bob.id, cat.id, outsider.id, mine.id, theirs.id)


def answer(app: Flask, user: int, question: ChoiceQuestion, option: str, when: dt.datetime, n: int) -> None:
    """Record `user`'s `n`-th answer to `question` (one option) at `when`, with its item state and rollups."""
    chosen = next(o for o in question.options if o.id == option)
    with app.app_context():
        session = get_session()
        review = Review(user_id=user, item_id=question.id, presentation_id=f"p-{user}-{question.id}-{n}",
                        reviewed_at=when, response={"options": [option]}, result="correct" if chosen.correct else "incorrect",
                        score=1.0 if chosen.correct else 0.0, rating=3 if chosen.correct else 1, response_ms=5000,
                        attempt=n, state_before=0 if n == 1 else 2, unsafe_chosen=chosen.unsafe)
        session.add(review)
        session.flush()
        session.add(ReviewChoice(review_id=review.id, option_id=option, item_id=question.id, unsafe=chosen.unsafe))
        if session.get(ItemState, (user, question.id)) is None:
            session.add(ItemState(user_id=user, item_id=question.id, card={}, due=when, state=2, last_review=when))
        restate_rollups(session)
        session.commit()
