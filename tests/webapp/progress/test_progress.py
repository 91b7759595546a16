"""The progress page: empty, after answers, with a retired item; charts have tables."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import answer_fields, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Review, utcnow
from webapp.questions import tokens as presentations


def test_progress_empty_then_changes_after_answers(app: Flask, student: FlaskClient) -> None:
    empty = student.get("/progress").get_data(as_text=True)
    assert "not answered any questions yet" in empty
    assert "Mastery by module" in empty and "<table" in empty and "<details>" in empty
    assert "vendor/chartjs/chart.umd.min.js" in empty
    uid = user_id(app, "ada@example.com")
    for question in app.extensions["bank"].questions[:3]:
        token = presentations.issue(app.config["SECRET_KEY"], uid, question.id, utcnow() - dt.timedelta(seconds=4))
        student.post("/study/answer", data={"presentation": token, **answer_fields(question)})
    page = student.get("/progress").get_data(as_text=True)
    assert "not answered any questions yet" not in page
    assert '<p class="stat-value">3</p><p class="stat-label">questions seen' in page
    assert '<p class="stat-value">1</p><p class="stat-label">day streak' in page


def test_retired_item_reviews_are_kept_and_shown(app: Flask, student: FlaskClient) -> None:
    with app.app_context():
        session = get_session()
        session.add(Review(user_id=user_id(app, "ada@example.com"), item_id="old-question-gone", presentation_id="x1",
                           reviewed_at=utcnow(), response="a", result="correct", score=1.0, rating=3, response_ms=900,
                           attempt=1, state_before=0))
        session.commit()
    page = student.get("/progress").get_data(as_text=True)
    assert "Retired questions" in page and "A retired question" in page and "1 answer," in page
    assert "old-question-gone" not in page  # an internal id means nothing to a learner


def test_progress_needs_login(client: FlaskClient) -> None:
    assert client.get("/progress").status_code == 302


def test_progress_groups_mastery_by_learning_objective(app: Flask, student: FlaskClient) -> None:
    from markupsafe import escape

    from webapp.platform.models import ItemState
    from webapp.records.stats import objective_mastery

    bank = app.extensions["bank"]
    before = student.get("/progress").get_data(as_text=True)
    assert "What you can do" in before and "Mastered</span>" not in before
    objective = next(o for o in bank.objectives if len(bank.by_objective(o)) >= 2)
    first = bank.by_objective(objective)[0]
    uid = user_id(app, "ada@example.com")
    token = presentations.issue(app.config["SECRET_KEY"], uid, first.id, utcnow() - dt.timedelta(seconds=4))
    student.post("/study/answer", data={"presentation": token, **answer_fields(first)})
    with app.app_context():
        session = get_session()
        rows = {o.objective_id: o for o in objective_mastery(session, uid, utcnow(), bank=bank)}
        assert set(rows) == set(bank.objectives)
        assert rows[objective].status == "learning" and rows[objective].seen == 1
        assert rows[objective].items == len(bank.by_objective(objective))
        # Every item of the objective remembered three weeks on: mastered.
        for question in bank.by_objective(objective):
            state = session.get(ItemState, (uid, question.id))
            if state is None:
                session.add(ItemState(user_id=uid, item_id=question.id, module=question.module, card={},
                                      due=utcnow(), state=2, stability=30.0, reps=1))
            else:
                state.stability = 30.0
        session.commit()
        assert {o.objective_id: o for o in objective_mastery(session, uid, utcnow(), bank=bank)}[
            objective].status == "mastered"
    page = student.get("/progress").get_data(as_text=True)
    assert str(escape(bank.objective_text(objective))) in page and "Mastered</span>" in page
