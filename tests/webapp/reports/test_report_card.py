"""A report an instructor can act on: question, key and pick on the card, no preset outcome, kept after
the student leaves; the student's nav counts new replies until they read them."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from quizzes.questions import ChoiceQuestion
from tests.webapp.helpers import log_in, signup, teacher_and_class
from webapp.platform.db import get_session
from webapp.platform.models import QuestionReport, ReportClass, User, utcnow
from webapp.records.answers import record_answer


def _choice_item(app: Flask) -> ChoiceQuestion:
    bank = app.extensions["bank"]
    return next(q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"
                and any(o.unsafe for o in q.options))


def _answer_then_report(app: Flask, client: FlaskClient, question: ChoiceQuestion) -> str:
    """Record an answer picking `question`'s unsafe option, then report the question; the option's text."""
    unsafe = next(o for o in question.options if o.unsafe)
    with app.app_context():
        session = get_session()
        user = session.scalar(select(User).where(User.email == "stu@example.com"))
        assert user is not None
        record_answer(session, user, question, unsafe.id, 4000, "p-report-test", utcnow(), 0.9, 0.95)
    sent = client.post(f"/report/{question.id}", data={"reason": "wrong-key", "comment": "I think it is safe"})
    assert sent.status_code == 302
    return unsafe.text


def test_the_card_shows_question_key_and_pick_without_a_preset_outcome(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    question = _choice_item(app)
    picked = _answer_then_report(app, client, question)
    client.post("/logout")
    log_in(client, "teach@example.com")
    html = client.get(f"/instructor/classes/{class_id}/reports").get_data(as_text=True)
    assert escape(question.stem) in html
    key = next(o for o in question.options if o.correct)
    assert escape(key.text) in html.split('class="badge badge-right">Key')[0].rsplit("<li", 1)[1]  # the key is marked
    pick = html.split("Their answer:</strong>")[1].split("</p>")[0]
    assert escape(picked) in pick and "Unsafe pick" in pick
    assert f"/instructor/classes/{class_id}/items/{question.id}" in html  # the link to the item's page
    assert "course/content/" in html and "/work/" not in html  # the content file, from the course root only
    assert "/lessons/" in html and "#section-" in html
    assert " checked" not in html.split("Outcome")[1].split("</fieldset>")[0]  # nothing pre-selected
    # The id is in links only, never shown as text.
    assert f">{question.id}<" not in html and f" {question.id} " not in html


def test_reports_stay_after_the_student_leaves(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    question = _choice_item(app)
    client.post(f"/report/{question.id}", data={"reason": "typo"})
    with app.app_context():
        assert get_session().scalars(select(ReportClass.class_id)).all() == [class_id]
    assert client.post(f"/classes/{class_id}/leave").status_code == 302
    client.post("/logout")
    log_in(client, "teach@example.com")
    page = client.get(f"/instructor/classes/{class_id}/reports").get_data(as_text=True)
    assert escape(question.stem) in page and "Stu" in page and "left the class" in page
    with app.app_context():
        report_id = get_session().scalar(select(QuestionReport.id))
    done = client.post(f"/instructor/classes/{class_id}/reports/{report_id}",
                       data={"status": "resolved", "reply": "Fixed the typo."})
    assert done.status_code == 302
    with app.app_context():
        assert get_session().scalar(select(QuestionReport.status)) == "resolved"


def test_a_report_made_before_joining_is_not_written_to_the_class(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    question = _choice_item(app)
    client.post(f"/report/{question.id}", data={"reason": "typo"})
    client.post("/join", data={"join_code": "EVE123"})
    client.post("/logout")
    log_in(client, "teach@example.com")
    assert escape(question.stem) not in client.get(f"/instructor/classes/{class_id}/reports").get_data(as_text=True)


def test_the_nav_counts_new_replies_until_they_are_read(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    items = [q for q in app.extensions["bank"].questions][:2]
    for question in items:
        client.post(f"/report/{question.id}", data={"reason": "typo"})
    assert 'class="nav-count"' not in client.get("/study/").get_data(as_text=True)
    assert "/report/mine" in client.get("/account/").get_data(as_text=True)  # reachable with no reply yet
    client.post("/logout")
    log_in(client, "teach@example.com")
    with app.app_context():
        ids = get_session().scalars(select(QuestionReport.id).order_by(QuestionReport.id)).all()
    for report_id in ids:
        client.post(f"/instructor/classes/{class_id}/reports/{report_id}", data={"status": "dismissed", "reply": "It is right."})
    assert 'class="nav-count"' not in client.get(f"/instructor/classes/{class_id}/reports").get_data(as_text=True)
    client.post("/logout")
    log_in(client, "stu@example.com")
    home = client.get("/progress").get_data(as_text=True)
    assert re.search(r'href="/report/mine"[^>]*>Replies<span class="nav-count">2</span>', home), home[:3000]
    mine = client.get("/report/mine").get_data(as_text=True)
    assert mine.count("New reply") == 2 and "It is right." in mine
    assert 'class="nav-count"' not in client.get("/progress").get_data(as_text=True)
    assert "New reply" not in client.get("/report/mine").get_data(as_text=True)


def test_no_item_link_for_a_question_outside_the_class_modules(app: Flask, client: FlaskClient) -> None:
    from webapp.platform.models import SchoolClass

    class_id = teacher_and_class(app, client)
    with app.app_context():
        session = get_session()
        school_class = session.get(SchoolClass, class_id)
        assert school_class is not None
        school_class.modules = ["neck-safety"]
        session.commit()
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    bank = app.extensions["bank"]
    outside = next(q for q in bank.questions if q.module != "neck-safety")
    inside = next(q for q in bank.questions if q.module == "neck-safety")
    for question in (outside, inside):
        client.post(f"/report/{question.id}", data={"reason": "typo"})
    client.post("/logout")
    log_in(client, "teach@example.com")
    html = client.get(f"/instructor/classes/{class_id}/reports").get_data(as_text=True)
    assert escape(outside.stem) in html and escape(inside.stem) in html
    assert f"/items/{inside.id}" in html and f"/items/{outside.id}" not in html
    assert client.get(f"/instructor/classes/{class_id}/items/{inside.id}").status_code == 200
