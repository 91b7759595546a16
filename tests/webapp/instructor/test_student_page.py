"""The one-student page read as rendered HTML, its figures checked against the database."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizzes.questions import ChoiceQuestion
from tests.webapp.instructor.helpers import NOW, PASSWORD, School, answer
from webapp.platform.db import get_session
from webapp.platform.models import Review, SchoolClass, utcnow


def _latest_unsafe(app: Flask, user: int) -> set[str]:
    """Items whose latest answer by `user` picked an unsafe option, from the reviews table alone."""
    with app.app_context():
        latest: dict[str, bool] = {}
        for item, unsafe in get_session().execute(
            select(Review.item_id, Review.unsafe_chosen).where(Review.user_id == user)
            .order_by(Review.reviewed_at, Review.id)
        ):
            latest[item] = bool(unsafe)
    return {item for item, unsafe in latest.items() if unsafe}


def test_still_unsafe_count_matches_the_reviews(client: FlaskClient, app: Flask, school: School) -> None:
    bank = app.extensions["bank"]
    unsafe_questions = [q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"
                        and any(o.unsafe for o in q.options)][:3]
    for n, question in enumerate(unsafe_questions):
        bad = next(o for o in question.options if o.unsafe)
        answer(app, school.bob, question, bad.id, NOW - dt.timedelta(days=3 - n), 1)
    # One of them later answered safely: no longer "still unsafe".
    fixed = unsafe_questions[0]
    answer(app, school.bob, fixed, next(o for o in fixed.options if o.correct).id, NOW - dt.timedelta(hours=1), 2)
    expected = _latest_unsafe(app, school.bob)
    assert len(expected) >= 2, "the fixture should leave several items still unsafe"
    client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    page = client.get(f"/instructor/classes/{school.class_id}/students/{school.bob}").data.decode()
    found = re.search(r'id="still-unsafe-count"><strong>(\d+)</strong> questions? still answered unsafely', page)
    assert found, "the count of questions still answered unsafely is on the page"
    assert int(found.group(1)) == len(expected)
    assert page.count("Still unsafe</span>") == len(expected)


def test_student_page_verdict_is_the_forecast_pages(client: FlaskClient, app: Flask, school: School) -> None:
    with app.app_context():
        school_class = get_session().get(SchoolClass, school.class_id)
        assert school_class is not None
        school_class.exam_date = (utcnow() + dt.timedelta(days=10)).date()  # the pages judge at the real now
        get_session().commit()
    client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    base = f"/instructor/classes/{school.class_id}"
    forecast_page = client.get(f"{base}/forecast").data.decode()
    for user in (school.ann, school.bob, school.cat):
        row = re.search(rf'<tr data-user="{user}" data-verdict="([^"]+)"', forecast_page)
        assert row, user
        page = client.get(f"{base}/students/{user}").data.decode()
        pace_line = page[page.index('id="pace"'):]
        pace_line = pace_line[:pace_line.index("</dd>")]
        assert "By the exam: <span class=\"badge" in pace_line
        assert {"on track": ">On track<", "at risk": ">At risk<", "will not finish": ">Will not finish<"}[
            row.group(1)] in pace_line
