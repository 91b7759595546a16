"""Two tabs answering the same new item at the same moment: both answers are kept, on SQLite and PostgreSQL.

Threads with their own sessions write through `record_answer` against the real
database, released together by a barrier; before the upsert in `_locked_state`
PostgreSQL lost about one answer in twelve to `UniqueViolation item_states_pkey`.
The same race through 4 gunicorn workers is in tests/webapp/study/test_race_workers.py.
"""

from __future__ import annotations

import datetime as dt
import threading

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from tests.webapp.helpers import answer_fields
from webapp.models import ItemState, Review, User
from webapp.study.responses import parse_response
from webapp.study.service import RecordedAnswer, record_answer

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
