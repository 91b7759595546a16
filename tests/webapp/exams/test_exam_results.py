"""Exam results like study's answer page: every option's reason, unsafe picks marked, the lesson section one
tap away, and a short retake of the misses."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from quizzes.grading import chosen_options
from quizzes.questions import ChoiceQuestion, Question
from tests.webapp.exams.test_exams import exam_of, start
from tests.webapp.helpers import answer_fields


def _unsafe_or_wrong(question: Question, position: int) -> dict[str, Any]:
    """An unsafe option where there is one, else a wrong answer; every fourth question right."""
    if position % 4 == 0:
        return answer_fields(question)
    if isinstance(question, ChoiceQuestion):
        unsafe = [o.id for o in question.options if o.unsafe]
        if unsafe:
            return {"choice": unsafe[0] if question.type == "mcq" else unsafe[:1]}
    return answer_fields(question, correct=False)


def _take(app: Flask, student: FlaskClient) -> int:
    exam_id = start(student)
    student.post(f"/exams/{exam_id}/begin")
    bank = app.extensions["bank"]
    for answer in exam_of(app, exam_id).answers:
        fields = _unsafe_or_wrong(bank.get(answer.item_id), answer.position)
        assert student.post(f"/exams/{exam_id}/q/{answer.position}", data={**fields, "go": "next"}).status_code == 302
    assert student.post(f"/exams/{exam_id}/finish").status_code == 302
    return exam_id


def _articles(html: str) -> dict[int, str]:
    return {int(n): body for n, body in re.findall(r'<article class="card missed[^"]*"[^>]*data-position="(\d+)">(.*?)</article>', html, re.S)}


def test_results_give_every_reason_and_mark_each_unsafe_pick(app: Flask, student: FlaskClient) -> None:
    exam_id = _take(app, student)
    bank = app.extensions["bank"]
    exam = exam_of(app, exam_id)
    html = student.get(f"/exams/{exam_id}/result").get_data(as_text=True)
    articles = _articles(html)
    unsafe_positions = set()
    for answer in exam.answers:
        question = bank.get(answer.item_id)
        if isinstance(question, ChoiceQuestion) and any(
                o.unsafe and o.id in chosen_options(answer.response) for o in question.options):
            unsafe_positions.add(answer.position)
        if (answer.score or 0) >= 1:
            assert answer.position not in articles
            continue
        body = articles[answer.position]
        if isinstance(question, ChoiceQuestion):
            for option in question.options:  # every option's reason, not only the key's
                assert str(escape(option.why)) in body, (answer.item_id, option.id)
        assert re.search(r'class="lesson-link" href="/lessons/[^"#]+/[^"#]+#section-[a-z0-9-]+"', body)
    assert unsafe_positions, "the bank gave this exam no unsafe option to pick"
    marked = {n for n, body in articles.items() if "Unsafe pick:" in body}
    assert marked == unsafe_positions
    assert re.search(rf'class="card missed is-unsafe-pick"[^>]*data-position="{min(unsafe_positions)}"', html)
    assert f"{len(unsafe_positions)} unsafe pick" in html
    assert "memory model" not in html and "FSRS" not in html


def test_retake_the_missed_is_a_short_exam_of_just_those(app: Flask, student: FlaskClient) -> None:
    exam_id = _take(app, student)
    bank = app.extensions["bank"]
    first = exam_of(app, exam_id)
    missed = [a.item_id for a in first.answers if (a.score or 0) < 1]
    html = student.get(f"/exams/{exam_id}/result").get_data(as_text=True)
    assert f"Retake the {len(missed)} I missed" in html
    response = student.post(f"/exams/{exam_id}/retake")
    assert response.status_code == 302
    match = re.search(r"/exams/(\d+)/q/1$", response.headers["Location"])
    assert match, response.headers["Location"]
    retake = exam_of(app, int(match.group(1)))
    assert [a.item_id for a in retake.answers] == missed
    assert retake.started_at is not None and retake.time_limit_min is None and retake.finished_at is None
    page = student.get(f"/exams/{retake.id}/q/1").get_data(as_text=True)
    assert f"Question 1 of {len(missed)}" in page
    # Answer all right this time: nothing left to retake.
    for answer in retake.answers:
        student.post(f"/exams/{retake.id}/q/{answer.position}", data={**answer_fields(bank.get(answer.item_id)), "go": "next"})
    student.post(f"/exams/{retake.id}/finish")
    result = student.get(f"/exams/{retake.id}/result").get_data(as_text=True)
    assert "Every question right" in result and "I missed" not in result
    again = student.post(f"/exams/{retake.id}/retake", follow_redirects=True)
    assert "nothing to retake" in again.get_data(as_text=True)


def test_an_unfinished_exam_cannot_be_retaken(app: Flask, student: FlaskClient, client: FlaskClient) -> None:
    exam_id = start(student)
    student.post(f"/exams/{exam_id}/begin")
    page = student.post(f"/exams/{exam_id}/retake", follow_redirects=True)
    assert "Finish this exam before retaking" in page.get_data(as_text=True)


def test_the_exam_question_keeps_save_and_next_in_the_thumb_bar(app: Flask, student: FlaskClient) -> None:
    exam_id = start(student)
    student.post(f"/exams/{exam_id}/begin")
    html = student.get(f"/exams/{exam_id}/q/2").get_data(as_text=True)
    bar = html.split('<div class="exam-actions action-bar">')[1].split("</div>")[0]
    assert "Save and next" in bar and "Previous" in bar and "Review all answers" not in bar
    after = html.split('id="question-form"')[1].split("</form>")[1]
    assert 'value="review" form="question-form"' in after  # the review button still submits the answer
