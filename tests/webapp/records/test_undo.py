"""Undo the last answer: the item returns to its state before, the review goes, once, within the window."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from tests.webapp.helpers import answer_fields
from webapp.platform.db import get_session
from webapp.platform.models import ItemState, Review, ReviewChoice, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.records.corrections import UNDO_WINDOW, undo_answer, undoable
from webapp.records.scoring import ReviewError

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)



def _uid(db: Session) -> int:
    return int(db.scalar(select(User.id)))


def _answer(db: Session, question: Question, presentation: str, now: dt.datetime, correct: bool = True) -> Review:
    response = parse_response(question, MultiDict(answer_fields(question, correct))).response
    return record_answer(db, _uid(db), question, response, 4000, presentation, now, 0.9, 0.95).review


def _state(db: Session, item_id: str) -> dict[str, object] | None:
    state = db.scalar(select(ItemState).where(ItemState.item_id == item_id))
    if state is None:
        return None
    return {c: getattr(state, c) for c in ("card", "due", "state", "stability", "difficulty", "reps", "lapses")}


def test_undo_first_answer_leaves_the_item_new_and_no_review(app: Flask, db: Session) -> None:
    question = next(q for q in app.extensions["bank"].questions if q.type == "mcq")
    row = _answer(db, question, "p1", NOW)
    assert undoable(db, _uid(db), row, NOW + dt.timedelta(minutes=1))
    assert undo_answer(db, _uid(db), row.id, NOW + dt.timedelta(minutes=1)) == question.id
    assert _state(db, question.id) is None
    assert db.scalar(select(func.count()).select_from(Review)) == 0
    assert db.scalar(select(func.count()).select_from(ReviewChoice)) == 0
    with pytest.raises(ReviewError):  # once
        undo_answer(db, _uid(db), row.id, NOW + dt.timedelta(minutes=1))


def test_undo_second_answer_restores_the_state_before_it(app: Flask, db: Session) -> None:
    question = next(q for q in app.extensions["bank"].questions if q.type == "truefalse")
    _answer(db, question, "p1", NOW)
    before = _state(db, question.id)
    later = NOW + dt.timedelta(minutes=15)
    row = _answer(db, question, "p2", later, correct=False)
    assert _state(db, question.id) != before
    undo_answer(db, _uid(db), row.id, later + dt.timedelta(seconds=30))
    after = _state(db, question.id)
    assert after is not None and before is not None
    assert {k: v for k, v in after.items() if k != "card"} == {k: v for k, v in before.items() if k != "card"}
    assert after["card"] == before["card"]
    assert db.scalar(select(func.count()).select_from(Review)) == 1


def test_only_the_latest_answer_within_the_window(app: Flask, db: Session) -> None:
    first, second = [q for q in app.extensions["bank"].questions if q.type == "mcq"][:2]
    old = _answer(db, first, "p1", NOW)
    _answer(db, second, "p2", NOW + dt.timedelta(seconds=40))
    with pytest.raises(ReviewError):
        undo_answer(db, _uid(db), old.id, NOW + dt.timedelta(minutes=1))
    latest = db.scalar(select(Review).where(Review.presentation_id == "p2"))
    assert latest is not None
    assert not undoable(db, _uid(db), latest, NOW + UNDO_WINDOW + dt.timedelta(minutes=1))
    with pytest.raises(ReviewError):
        undo_answer(db, _uid(db), latest.id, NOW + UNDO_WINDOW + dt.timedelta(minutes=1))
    assert db.scalar(select(func.count()).select_from(Review)) == 2


def test_undo_route_and_button(app: Flask, student) -> None:  # type: ignore[no-untyped-def]
    from tests.webapp.helpers import token_of

    page = student.get("/study/")
    bank = app.extensions["bank"]
    from tests.webapp.helpers import user_id
    from webapp.questions import tokens as presentations

    shown = presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com"))
    question = bank.get(shown.item_id)
    location = student.post("/study/answer", data={"presentation": token_of(page.data), **answer_fields(question)}).headers["Location"]
    answer_page = student.get(location).get_data(as_text=True)
    assert "data-undo" in answer_page
    review_id = int(location.split("/answers/")[1].split("?")[0])
    done = student.post(f"/study/answers/{review_id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "Answer undone" in done
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Review)) == 0
    again = student.post(f"/study/answers/{review_id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "already undone" in again
