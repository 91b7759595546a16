"""Practice exams through the routes: readiness, saving without feedback, flags, finishing once, time limit."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.webapp.helpers import answer_fields, signup, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Exam, ItemState, Review


def start(client: FlaskClient, length: str = "20", modules: list[str] | None = None, **extra: Any) -> int:
    data: dict[str, Any] = {"length": length, "modules": modules or ["endangerment-sites", "nerve-injury", "post-massage-soreness", "neck-safety"], **extra}
    response = client.post("/exams/new", data=data)
    assert response.status_code == 302, response.data[:500]
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


def exam_of(app: Flask, exam_id: int) -> Exam:
    with app.app_context():
        exam = get_session().get(Exam, exam_id)
        assert exam is not None
        _ = [a.item_id for a in exam.answers]
        return exam


def test_readiness_is_shown_before_the_exam_begins(app: Flask, student: FlaskClient) -> None:
    exam_id = start(student)
    page = student.get(f"/exams/{exam_id}")
    assert page.status_code == 200 and b"predicted score" in page.data and b"50 %" in page.data  # all unseen: the prior
    assert student.get(f"/exams/{exam_id}/q/1").status_code == 302  # not begun: back to the readiness page


def test_take_an_exam_flag_return_and_finish(app: Flask, student: FlaskClient) -> None:
    exam_id = start(student)
    student.post(f"/exams/{exam_id}/begin")
    bank = app.extensions["bank"]
    exam = exam_of(app, exam_id)
    for answer in exam.answers:
        question = bank.get(answer.item_id)
        page = student.get(f"/exams/{exam_id}/q/{answer.position}")
        assert page.status_code == 200
        assert b"Correct" not in page.data and b"Not quite" not in page.data  # no feedback during the exam
        fields = answer_fields(question, correct=answer.position % 2 == 0)
        if answer.position == 3:
            fields["flag"] = "1"
        response = student.post(f"/exams/{exam_id}/q/{answer.position}", data={**fields, "go": "next"})
        assert response.status_code == 302
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Review)) == 0  # nothing graded yet
    review_page = student.get(f"/exams/{exam_id}/review")
    assert b"Flagged" in review_page.data and b"20 of 20 answered" in review_page.data
    # Return to the flagged question: its answer is still chosen.
    back = student.get(f"/exams/{exam_id}/q/3")
    assert b"checked" in back.data
    assert student.post(f"/exams/{exam_id}/finish").status_code == 302
    assert student.post(f"/exams/{exam_id}/finish").status_code == 302  # twice: recorded once
    with app.app_context():
        session = get_session()
        reviews = session.scalars(select(Review).where(Review.source == "exam")).all()
        assert len(reviews) == 20
        assert {r.presentation_id for r in reviews} == {f"exam-{exam_id}-{n}" for n in range(1, 21)}
        finished = session.get(Exam, exam_id)
        assert finished is not None and finished.score is not None and 0.4 <= finished.score <= 0.6
        missed = [a.item_id for a in finished.answers if (a.score or 0) < 1]
        states = {s.item_id: s for s in session.scalars(select(ItemState))}
        assert all(states[item].due <= finished.finished_at + dt.timedelta(minutes=10) for item in missed)  # type: ignore[operator]
    result = student.get(f"/exams/{exam_id}/result")
    assert result.status_code == 200
    assert b"Score by MBLEx content area" in result.data and b"Score by module" in result.data
    assert b"Your answer" in result.data and b"predicted before you began" in result.data
    # Each miss shows the key: a "Correct" badge on an option, or the correct answer in words.
    assert re.search(rb"Correct( answer|:</strong>|</span>)", result.data)


def test_a_blank_page_is_unanswered_and_scores_zero(app: Flask, student: FlaskClient) -> None:
    exam_id = start(student)
    student.post(f"/exams/{exam_id}/begin")
    assert student.post(f"/exams/{exam_id}/q/1", data={"go": "next"}).status_code == 302
    student.post(f"/exams/{exam_id}/finish")
    with app.app_context():
        exam = get_session().get(Exam, exam_id)
        assert exam is not None and exam.score == 0.0
        assert get_session().scalar(select(func.count()).select_from(Review)) == 0


def test_the_server_keeps_the_time_limit(app: Flask, student: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    exam_id = start(student, time_limit_min="1")
    student.post(f"/exams/{exam_id}/begin")
    page = student.get(f"/exams/{exam_id}/q/1")
    assert b"data-deadline" in page.data and b"exam.js" in page.data and b"<script>" not in page.data
    from webapp.exams import views

    later = views.utcnow() + dt.timedelta(minutes=3)
    monkeypatch.setattr(views, "utcnow", lambda: later)
    bank = app.extensions["bank"]
    question = bank.get(exam_of(app, exam_id).answers[0].item_id)
    response = student.post(f"/exams/{exam_id}/q/1", data={**answer_fields(question), "go": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/result")
    exam = exam_of(app, exam_id)
    assert exam.finished_at is not None and exam.answers[0].response is None  # the late answer was not kept


def test_another_learners_exam_is_not_found(app: Flask, client: FlaskClient) -> None:
    signup(client, email="one@example.com")
    exam_id = start(client)
    client.post("/logout")
    signup(client, email="two@example.com")
    assert client.get(f"/exams/{exam_id}").status_code == 404
    assert client.post(f"/exams/{exam_id}/finish").status_code == 404
    assert user_id(app, "two@example.com")


def test_the_form_refuses_no_modules(student: FlaskClient) -> None:
    assert student.post("/exams/new", data={"length": "20"}).status_code == 400
    assert student.post("/exams/new", data={"length": "7", "modules": ["neck-safety"]}).status_code == 400


def test_past_exams_are_listed_on_the_learners_clock(app: Flask, student: FlaskClient) -> None:
    from sqlalchemy import update

    from webapp.platform.models import User

    exam_id = start(student)
    with app.app_context():
        session = get_session()
        session.execute(update(Exam).where(Exam.id == exam_id).values(
            created_at=dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.timezone.utc)))
        session.commit()
    assert "1 Mar 2026, 23:30 UTC" in student.get("/exams/").get_data(as_text=True)  # no zone known yet: said so
    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.email == "ada@example.com").values(timezone="Europe/Berlin"))
        session.commit()
    assert ">2 Mar 2026, 00:30</time>" in student.get("/exams/").get_data(as_text=True)


def test_begin_goes_straight_to_question_one_and_only_once(student: FlaskClient) -> None:
    exam_id = start(student)
    assert student.post(f"/exams/{exam_id}/begin").headers["Location"].endswith(f"/exams/{exam_id}/q/1")
    again = student.post(f"/exams/{exam_id}/begin")  # a second tab: where the exam stands, the clock kept
    assert again.headers["Location"].endswith(f"/exams/{exam_id}")


def test_readiness_reads_the_drawn_items_cards_as_the_whole_record_would(app: Flask, student: FlaskClient) -> None:
    from quizzes.exams import predict_score
    from webapp.records.stats import load_cards

    bank = app.extensions["bank"]
    first = start(student)
    student.post(f"/exams/{first}/begin")
    for answer in exam_of(app, first).answers:
        student.post(f"/exams/{first}/q/{answer.position}",
                     data={**answer_fields(bank.get(answer.item_id), correct=answer.position % 3 != 0), "go": "next"})
    student.post(f"/exams/{first}/finish")
    second = exam_of(app, start(student))
    with app.app_context():
        cards = load_cards(get_session(), user_id(app, "ada@example.com"), bank)
    items = [answer.item_id for answer in second.answers]
    assert len(items) == 20 and any(item in cards for item in items)  # some of them studied in the first exam
    assert second.predicted == pytest.approx(predict_score(cards, items, second.created_at))
    assert second.predicted != pytest.approx(0.5)  # not the prior alone
