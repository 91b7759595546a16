"""Anki answers merged into a history that has browser answers too: one replayed state per item."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from quizzes.bank import Bank
from quizzes.scheduling import review
from tests.webapp.helpers import answer_fields
from webapp.ankisync.history import Retention, add_anki_reviews
from webapp.ankisync.package import AnkiReview
from webapp.platform.models import ItemState, Review, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.records.scoring import score_rating, typical_response_ms

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
RETENTION = Retention(0.9, 0.95)



def _anki(revlog_at: dt.datetime, item_id: str, button: int) -> AnkiReview:
    return AnkiReview(revlog_id=int(revlog_at.timestamp() * 1000), item_id=item_id, reviewed_at=revlog_at,
                      button=button, interval=1, duration_ms=4000, kind=1)


def test_anki_and_browser_answers_replay_in_time_order(app: Flask, db: Session) -> None:
    bank: Bank = app.extensions["bank"]
    question = next(q for q in bank if q.type == "truefalse")
    user = db.scalar(select(User))
    assert user is not None
    browser_at = T0 + dt.timedelta(days=2)
    form = MultiDict(answer_fields(question))
    response = parse_response(question, form).response  # type: ignore[arg-type]
    record_answer(db, user, question, response, 5000, "p-1", browser_at, 0.9, 0.95)
    answers = [_anki(T0, question.id, 3), _anki(T0 + dt.timedelta(days=1), question.id, 1),
               _anki(T0 + dt.timedelta(days=3), question.id, 4)]
    added = add_anki_reviews(db, user.id, answers, bank, RETENTION)
    db.commit()
    assert (added.reviews_added, added.reviews_known, added.items) == (3, 0, 1)
    assert (added.first_review, added.last_review) == (T0, T0 + dt.timedelta(days=3))

    history = list(db.scalars(select(Review).where(Review.item_id == question.id).order_by(Review.reviewed_at)))
    assert [(r.source, r.rating, r.attempt) for r in history] == [
        ("anki", 3, 1), ("anki", 1, 2), ("web", history[2].rating, 3), ("anki", 4, 4)]
    # Each review's "before" is what the replay had at that moment: the browser
    # answer now follows two Anki answers, so its rating override starts there.
    card = None
    for row in history:
        assert row.card_before == card
        card = review(card, row.rating, row.reviewed_at, 0.95 if question.safety_critical else 0.9).card
    state = db.get(ItemState, (user.id, question.id))
    assert state is not None and state.reps == 4 and state.last_review == history[-1].reviewed_at
    assert card is not None and state.card["stability"] == pytest.approx(card["stability"])

    again = add_anki_reviews(db, user.id, answers, bank, RETENTION)
    assert (again.reviews_added, again.reviews_known, again.items) == (0, 3, 0)


def test_answers_to_items_no_longer_in_the_course_are_skipped(app: Flask, db: Session) -> None:
    user = db.scalar(select(User))
    assert user is not None
    added = add_anki_reviews(db, user.id, [_anki(T0, "retired-item", 3)], app.extensions["bank"], RETENTION)
    assert added.reviews_added == 0 and added.items == 0


def test_score_rating_grades_by_the_button(app: Flask) -> None:
    question = next(iter(app.extensions["bank"]))
    again = score_rating(question, 1, None, T0, 0.9, 0.95)
    good = score_rating(question, 3, None, T0, 0.9, 0.95)
    assert (again.grade.outcome, again.grade.score, int(again.rating)) == ("incorrect", 0.0, 1)
    assert (good.grade.outcome, good.grade.score, int(good.rating), int(good.auto_rating)) == ("correct", 1.0, 3, 3)


def test_anki_times_do_not_set_the_browsers_usual_speed(app: Flask, db: Session) -> None:
    bank: Bank = app.extensions["bank"]
    question = next(q for q in bank if q.type == "mcq")
    user = db.scalar(select(User))
    assert user is not None
    add_anki_reviews(db, user.id, [_anki(T0, question.id, 3)], bank, RETENTION)
    db.commit()
    assert typical_response_ms(db, user.id, "mcq") is None
