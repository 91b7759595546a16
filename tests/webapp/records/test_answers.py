"""record_answer and override_rating over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from quizzes.questions import ChoiceQuestion, Question
from quizzes.scheduling import review
from tests.webapp.helpers import answer_fields
from webapp.platform.models import ItemState, Review, ReviewChoice
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.records.corrections import override_rating
from webapp.records.scoring import ReviewError, typical_response_ms

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)



def _question(app: Flask, kind: str, unsafe: bool = False) -> Question:
    for q in app.extensions["bank"].questions:
        if q.type == kind and (not unsafe or any(o.unsafe and not o.correct for o in q.options)):
            return q
    raise AssertionError(kind)


def _response(question: Question, correct: bool = True) -> object:
    parsed = parse_response(question, MultiDict(answer_fields(question, correct)))
    assert parsed.error is None
    return parsed.response


def test_first_answer_stores_state_review_and_choices(app: Flask, db: Session) -> None:
    question = _question(app, "mcq", unsafe=True)
    assert isinstance(question, ChoiceQuestion)
    unsafe_option = next(o for o in question.options if o.unsafe and not o.correct)
    recorded = record_answer(db, 1, question, unsafe_option.id, 4200, "p-1", NOW, 0.9, 0.95)
    assert not recorded.duplicate and recorded.grade.outcome == "incorrect"
    row = db.scalar(select(Review))
    assert (row.attempt, row.state_before, row.rating, row.auto_rating, row.result) == (1, 0, 1, 1, "incorrect")
    assert row.card_before is None and row.unsafe_chosen and row.question_type == "mcq" and row.module == question.module
    state = db.get(ItemState, (1, question.id))
    expected = review(None, 1, NOW, 0.95 if question.safety_critical else 0.9, fuzz=False)
    assert (state.state, state.stability, state.reps) == (expected.state, expected.stability, 1)
    choices = db.scalars(select(ReviewChoice)).all()
    assert [(c.option_id, c.unsafe, c.item_id) for c in choices] == [(unsafe_option.id, True, question.id)]


def test_same_presentation_records_once_and_attempts_count(app: Flask, db: Session) -> None:
    question = _question(app, "multi")
    response = _response(question)
    first = record_answer(db, 1, question, response, 3000, "p-1", NOW, 0.9, 0.95)
    again = record_answer(db, 1, question, response, 3000, "p-1", NOW + dt.timedelta(seconds=2), 0.9, 0.95)
    assert again.duplicate and again.review.id == first.review.id and again.grade.outcome == "correct"
    assert db.scalar(select(func.count()).select_from(Review)) == 1
    assert db.scalar(select(func.count()).select_from(ReviewChoice)) == len(response)
    state_after_first = db.get(ItemState, (1, question.id)).state
    later = record_answer(db, 1, question, response, 3000, "p-2", NOW + dt.timedelta(days=1), 0.9, 0.95)
    assert (later.review.attempt, later.review.state_before) == (2, state_after_first)
    assert later.review.card_before is not None
    assert db.get(ItemState, (1, question.id)).reps == 2


def test_presentation_of_another_item_or_learner_is_refused(app: Flask, db: Session) -> None:
    a, b = app.extensions["bank"].questions[:2]
    record_answer(db, 1, a, _response(a), 3000, "p-1", NOW, 0.9, 0.95)
    with pytest.raises(ReviewError):
        record_answer(db, 1, b, _response(b), 3000, "p-1", NOW, 0.9, 0.95)
    assert db.scalar(select(func.count()).select_from(Review)) == 1


def test_invalid_response_records_nothing(app: Flask, db: Session) -> None:
    question = _question(app, "mcq")
    with pytest.raises(ReviewError):
        record_answer(db, 1, question, "no-such-option", 3000, "p-1", NOW, 0.9, 0.95)
    assert db.scalar(select(func.count()).select_from(Review)) == 0
    assert db.scalar(select(func.count()).select_from(ItemState)) == 0


def test_override_reschedules_from_the_card_before(app: Flask, db: Session) -> None:
    question = _question(app, "truefalse")
    retention = 0.95 if question.safety_critical else 0.9
    record_answer(db, 1, question, _response(question), 3000, "p-1", NOW, 0.9, 0.95)
    second_at = NOW + dt.timedelta(days=2)
    second = record_answer(db, 1, question, _response(question, correct=False), 3000, "p-2", second_at, 0.9, 0.95)
    card_before = second.review.card_before
    override_rating(db, 1, second.review.id, question, 4, 0.9, 0.95)
    state = db.get(ItemState, (1, question.id))
    expected = review(card_before, 4, second_at, retention, fuzz=False)
    # The interval is fuzzed, so compare the memory state, which is exact.
    assert (state.state, state.stability, state.difficulty) == (expected.state, expected.stability, expected.difficulty)
    assert state.due > second_at + dt.timedelta(days=1)
    row = db.get(Review, second.review.id)
    assert (row.rating, row.auto_rating) == (4, 1)
    # Going back to the automatic rating gives exactly the automatic schedule.
    override_rating(db, 1, second.review.id, question, 1, 0.9, 0.95)
    again = review(card_before, 1, second_at, retention, fuzz=False)
    assert db.get(ItemState, (1, question.id)).stability == again.stability


def test_override_only_of_the_latest_review_and_valid_ratings(app: Flask, db: Session) -> None:
    question = _question(app, "cloze")
    first = record_answer(db, 1, question, _response(question), 3000, "p-1", NOW, 0.9, 0.95)
    record_answer(db, 1, question, _response(question), 3000, "p-2", NOW + dt.timedelta(days=1), 0.9, 0.95)
    with pytest.raises(ReviewError, match="answered this question again"):
        override_rating(db, 1, first.review.id, question, 4, 0.9, 0.95)
    with pytest.raises(ReviewError):
        override_rating(db, 1, first.review.id, question, 7, 0.9, 0.95)
    with pytest.raises(ReviewError):
        override_rating(db, 2, first.review.id, question, 3, 0.9, 0.95)


def test_typical_time_is_the_median_of_recent_answers_of_that_type(app: Flask, db: Session) -> None:
    questions = [q for q in app.extensions["bank"].questions if q.type == "mcq"][:3]
    assert typical_response_ms(db, 1, "mcq") is None
    for n, (q, ms) in enumerate(zip(questions, (1000, 9000, 3000))):
        record_answer(db, 1, q, _response(q), ms, f"p-{n}", NOW + dt.timedelta(minutes=n), 0.9, 0.95)
    assert typical_response_ms(db, 1, "mcq") == 3000
    assert typical_response_ms(db, 1, "cloze") is None
