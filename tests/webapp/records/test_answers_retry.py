"""record_answer on a lost PostgreSQL connection: retried once on a new one, and still stored only once."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from quizzes.questions import TrueFalseQuestion
from tests.webapp.trust.test_db_retry import end_connection_of
from webapp.platform.models import Review, User
from webapp.records.answers import record_answer

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def test_answers_between_ended_connections_are_each_stored_once(app: Flask, db: Session) -> None:
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: a SQLite file has no connection to lose")
    learner = db.scalar(select(User.id).where(User.email == "learner@example.com"))
    assert learner is not None
    question = next(q for q in app.extensions["bank"].questions if isinstance(q, TrueFalseQuestion))
    for n, presentation in enumerate(["p-1", "p-2", "p-2"]):  # the last is a double submit of the second
        db.execute(text("SELECT 1"))  # the request's read holds its connection...
        end_connection_of(db, url)  # ...which a restart ends
        recorded = record_answer(db, learner, question, question.answer, 5000, presentation,
                                 NOW + dt.timedelta(days=n), 0.9, 0.95)
        assert recorded.duplicate == (n == 2)
    assert db.scalar(select(func.count()).select_from(Review)) == 2
