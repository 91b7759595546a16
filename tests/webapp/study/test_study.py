"""The study routes: one question at a time, every type answered, bad input handled."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from quizzes.questions import Question
from tests.webapp.helpers import answer_fields, make_class, signup, token_of, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Review
from webapp.questions import tokens as presentations

TYPES = ("mcq", "multi", "truefalse", "cloze", "matching", "hotspot")


def _reviews(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(Review)))


def _first(app: Flask, kind: str) -> Question:
    return next(q for q in app.extensions["bank"].questions if q.type == kind)


def _token(app: Flask, item_id: str, email: str = "ada@example.com") -> str:
    now = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=5)
    return presentations.issue(app.config["SECRET_KEY"], user_id(app, email), item_id, now)


def test_study_page_shows_one_question_with_token_and_counts(student: FlaskClient) -> None:
    page = student.get("/study/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert token_of(page.data)
    assert 'id="question-form"' in html and "Check answer" in html
    assert "new" in html and "learning" in html and "to review" in html


@pytest.mark.parametrize("kind", TYPES)
def test_each_type_answered_right_and_wrong(app: Flask, student: FlaskClient, kind: str) -> None:
    question = _first(app, kind)
    right = student.post("/study/answer", data={"presentation": _token(app, question.id), **answer_fields(question)})
    assert right.status_code == 302 and "/study/answers/" in right.headers["Location"]
    page = student.get(right.headers["Location"]).get_data(as_text=True)
    assert "Correct" in page and "Next question" in page and "Why" in page
    assert str(escape(question.explanation.split()[0])) in page
    assert "How well did you know it?" in page and page.count('name="rating"') == 4
    wrong = student.post("/study/answer", data={"presentation": _token(app, question.id), **answer_fields(question, correct=False)})
    page = student.get(wrong.headers["Location"]).get_data(as_text=True)
    assert "Not quite" in page or "Partly right" in page
    if kind in ("mcq", "multi"):
        assert all(str(escape(option.why[:30])) in page for option in question.options)  # type: ignore[attr-defined]
    assert _reviews(app) == 2


def test_question_page_renders_every_type_as_a_form(app: Flask, student: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from quizzes.planner import Counts, Plan
    from webapp.study import plan as learner

    for kind, marker in (("mcq", 'type="radio" id="choice-'), ("multi", 'type="checkbox"'), ("truefalse", 'id="answer-true"'),
                         ("cloze", 'name="blank-1"'), ("matching", "<select"), ("hotspot", 'name="region"')):
        question = _first(app, kind)
        monkeypatch.setattr(learner, "plan_from", lambda *a, q=question, **k: Plan(q, Counts(1, 0, 0)))
        html = student.get("/study/").get_data(as_text=True)
        assert marker in html, kind
        assert "<label" in html
        if kind == "hotspot":
            assert 'class="spot"' in html and "<svg" in html


def test_double_submit_records_once(app: Flask, student: FlaskClient) -> None:
    question = _first(app, "mcq")
    data = {"presentation": _token(app, question.id), **answer_fields(question)}
    first = student.post("/study/answer", data=data)
    second = student.post("/study/answer", data=data, follow_redirects=True)
    assert second.status_code == 200 and b"already recorded" in second.data
    assert first.headers["Location"].split("?")[0] in second.request.path
    assert _reviews(app) == 1


def test_forged_foreign_and_retired_tokens_record_nothing(app: Flask, client: FlaskClient) -> None:
    signup(client, email="bob@example.com", name="Bob")
    client.post("/logout")
    signup(client)
    question = _first(app, "mcq")
    forged = client.post("/study/answer", data={"presentation": "abc.def", **answer_fields(question)}, follow_redirects=True)
    assert b"not recognised" in forged.data and forged.status_code == 200
    foreign = client.post("/study/answer", data={"presentation": _token(app, question.id, "bob@example.com"), **answer_fields(question)}, follow_redirects=True)
    assert b"not recognised" in foreign.data
    retired = client.post("/study/answer", data={"presentation": _token(app, "retired-item"), "choice": "x"}, follow_redirects=True)
    assert b"no longer part of the course" in retired.data
    assert client.post("/study/answer", data={}, follow_redirects=True).status_code == 200
    assert _reviews(app) == 0


def test_incomplete_and_over_long_answers_are_messages(app: Flask, student: FlaskClient) -> None:
    mcq, cloze, matching = _first(app, "mcq"), _first(app, "cloze"), _first(app, "matching")
    empty = student.post("/study/answer", data={"presentation": _token(app, mcq.id)})
    assert empty.status_code == 400 and b"Choose one answer." in empty.data and b'role="alert"' in empty.data
    long = student.post("/study/answer", data={"presentation": _token(app, cloze.id), "blank-1": "x" * 500})
    assert long.status_code == 400 and b"at most 200 characters" in long.data
    fields = answer_fields(matching)
    fields.pop(next(iter(fields)))
    half = student.post("/study/answer", data={"presentation": _token(app, matching.id), **fields})
    assert half.status_code == 400 and b"Match every item" in half.data
    bogus = student.post("/study/answer", data={"presentation": _token(app, mcq.id), "choice": "not-an-option"})
    assert bogus.status_code == 400 and b"not an option" in bogus.data
    assert _reviews(app) == 0


def test_rating_override_through_the_page(app: Flask, student: FlaskClient) -> None:
    question = _first(app, "truefalse")
    location = student.post("/study/answer", data={"presentation": _token(app, question.id), **answer_fields(question)}).headers["Location"]
    review_id = int(location.split("/answers/")[1].split("?")[0])
    response = student.post(f"/study/answers/{review_id}/rating", data={"rating": "2"}, follow_redirects=True)
    assert b"Rated Hard." in response.data
    assert b'class="rate rate-hard" aria-pressed="true"' in response.data
    bad = student.post(f"/study/answers/{review_id}/rating", data={"rating": "9"}, follow_redirects=True)
    assert b"Choose Again, Hard, Good or Easy." in bad.data
    with app.app_context():
        assert get_session().get(Review, review_id).rating == 2


def test_answers_of_others_are_not_found(app: Flask, client: FlaskClient) -> None:
    signup(client)
    question = _first(app, "mcq")
    location = client.post("/study/answer", data={"presentation": _token(app, question.id), **answer_fields(question)}).headers["Location"]
    client.post("/logout")
    signup(client, email="eve@example.com", name="Eve")
    assert client.get(location).status_code == 404
    assert client.post(location.split("?")[0] + "/rating", data={"rating": "4"}).status_code == 404


def test_session_end_says_learning_is_due_soon_and_the_class_limit(app: Flask, student: FlaskClient) -> None:
    _, code = make_class(app, daily_new_limit=1)
    student.post("/join", data={"join_code": code})
    page = student.get("/study/")
    question = app.extensions["bank"].get(
        presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com")).item_id
    )
    student.post("/study/answer", data={"presentation": token_of(page.data), **answer_fields(question)})
    done = student.get("/study/").get_data(as_text=True)
    # The one answered question is a learning card due within minutes; the class limit stops new ones.
    assert "More questions in" in done and "1 question you are still learning" in done and "Study ahead now" in done
    assert "daily limit of" in done and "Spring cohort" in done and "Practise more" in done
    assert "tomorrow" not in done


def test_scope_by_lesson_and_unknown_scope(app: Flask, student: FlaskClient) -> None:
    lesson = next(l for l in app.extensions["course"].lessons if app.extensions["bank"].by_lesson(l.id))
    page = student.get(f"/study/?lesson={lesson.id}")
    shown = presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com"))
    assert app.extensions["bank"].get(shown.item_id).lesson == lesson.id
    assert f'name="lesson" value="{lesson.id}"' in page.get_data(as_text=True)
    unknown = student.get("/study/?module=no-such-module")
    assert unknown.status_code == 404 and b"no module with that name" in unknown.data
