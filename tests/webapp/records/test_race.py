"""Two tabs answering the same new item at the same moment: both answers are kept, on SQLite and PostgreSQL.

Threads with their own sessions write through `record_answer` against the real
database, released together by a barrier; before the upsert in `_locked_state`
PostgreSQL lost about one answer in twelve to `UniqueViolation item_states_pkey`.
The same race through 4 gunicorn workers is in tests/webapp/trust/test_workers.py.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from quizzes.scheduling import Rating
from tests.webapp.helpers import answer_fields
from webapp.platform.models import ItemState, Review, User
from webapp.questions.responses import parse_response
from webapp.records.answers import RecordedAnswer, record_answer

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
TABS = 2
ITEMS = 12  # new items raced; every one starts with no item_states row


def _answer_together(factory: sessionmaker[Session], user_id: int, question: Question,
                     presentations: list[str]) -> list[RecordedAnswer | BaseException]:
    response = parse_response(question, MultiDict(answer_fields(question))).response
    barrier = threading.Barrier(len(presentations))
    results: list[RecordedAnswer | BaseException] = [RuntimeError("not run")] * len(presentations)

    def tab(index: int) -> None:
        with factory() as session:
            barrier.wait()
            try:
                results[index] = record_answer(session, user_id, question, response, 3000, presentations[index],
                                               NOW + dt.timedelta(seconds=index), 0.9, 0.95)
            except BaseException as error:  # noqa: BLE001  (reported by the assertion below)
                results[index] = error

    threads = [threading.Thread(target=tab, args=(n,)) for n in range(len(presentations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _learner(factory: sessionmaker[Session]) -> int:
    with factory() as session:
        user = User(email="tabs@example.com", display_name="Two Tabs", password_hash="x")
        session.add(user)
        session.commit()
        return user.id


def test_two_tabs_on_a_new_item_keep_both_answers(app: Flask) -> None:
    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]
    user_id = _learner(factory)
    questions = app.extensions["bank"].questions[:ITEMS]
    for question in questions:
        results = _answer_together(factory, user_id, question, [f"{question.id}-tab-{n}" for n in range(TABS)])
        errors = [r for r in results if isinstance(r, BaseException)]
        assert not errors, f"{question.id}: {errors!r}"
        assert not any(r.duplicate for r in results if isinstance(r, RecordedAnswer))
    with factory() as session:
        for question in questions:
            attempts = session.scalars(
                select(Review.attempt).where(Review.user_id == user_id, Review.item_id == question.id)
                .order_by(Review.attempt)
            ).all()
            assert attempts == [1, 2], question.id  # both answers kept, counted in order
            state = session.get(ItemState, (user_id, question.id))
            assert state is not None and state.reps == TABS and state.state != 0


def test_same_presentation_from_two_tabs_records_once(app: Flask) -> None:
    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]
    user_id = _learner(factory)
    question = app.extensions["bank"].questions[0]
    results = _answer_together(factory, user_id, question, ["same-presentation"] * TABS)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(r.duplicate for r in results if isinstance(r, RecordedAnswer)) == [False, True]
    with factory() as session:
        assert len(session.scalars(select(Review.id).where(Review.user_id == user_id)).all()) == 1
        state = session.get(ItemState, (user_id, question.id))
        assert state is not None and state.reps == 1


def _until_waiting(session: Session) -> None:
    """Return once another transaction waits for a lock (PostgreSQL), or after a moment (SQLite: it waits at BEGIN)."""
    if session.get_bind().dialect.name != "postgresql":
        time.sleep(0.3)
        return
    deadline = time.monotonic() + 20
    while not session.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")) and time.monotonic() < deadline:
        time.sleep(0.02)


def test_an_answer_that_waited_for_the_item_reads_the_learners_times_after_the_wait(app: Flask) -> None:
    """The usual time is read with the locked item state; after waiting for that lock it includes what the other answer stored.

    Tab A holds the item's state and stores three quick answers of the type (one of this item); tab B,
    answering the item meanwhile in 3 s, waits. Read with A's answers the usual time is 0.1 s and B's is HARD;
    read from before the wait (PostgreSQL's statement snapshot) it would be 3 s and GOOD.
    """
    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]
    user_id = _learner(factory)
    mcqs = [q for q in app.extensions["bank"].questions if q.type == "mcq"][:3]
    question = mcqs[0]
    response = parse_response(question, MultiDict(answer_fields(question))).response
    with factory() as session:
        record_answer(session, user_id, question, response, 3000, "first", NOW, 0.9, 0.95)
    results: list[RecordedAnswer | BaseException] = []

    def tab_b() -> None:
        with factory() as session:
            try:
                results.append(record_answer(session, user_id, question, response, 3000, "tab-b",
                                             NOW + dt.timedelta(days=3), 0.9, 0.95))
            except BaseException as error:  # noqa: BLE001  (reported by the assertion below)
                results.append(error)

    with factory() as tab_a:
        state = tab_a.scalars(select(ItemState).where(ItemState.user_id == user_id, ItemState.item_id == question.id)
                              .with_for_update()).one()
        thread = threading.Thread(target=tab_b)
        thread.start()
        with factory() as watcher:
            _until_waiting(watcher)
        for n, item in enumerate(mcqs):
            tab_a.add(Review(user_id=user_id, item_id=item.id, presentation_id=f"tab-a-{n}", response=response,
                             reviewed_at=NOW + dt.timedelta(days=2, minutes=n), result="correct", score=1.0, rating=3,
                             auto_rating=3, response_ms=100, attempt=2 if item is question else 1, state_before=1,
                             question_type="mcq", module=item.module))
        state.reps += 1
        tab_a.commit()
    thread.join(timeout=60)
    assert len(results) == 1 and isinstance(results[0], RecordedAnswer), results
    assert (results[0].review.attempt, results[0].review.auto_rating) == (3, int(Rating.HARD))
