"""Plain words where a learner reads: no scheduler jargon, no internal question ids; rating previews that differ."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.exams.test_exams import exam_of, start
from tests.webapp.helpers import answer_fields, make_class, token_of, user_id
from webapp.questions.page import rating_previews

BANNED = re.compile(r"\bFSRS\b|true retention|memory stability|\bstability\b|retrievability|memory model|"
                    r"discrimination|\blapses?\b|\bitem id\b", re.I)


def visible_text(page: str) -> str:
    """What a reader sees: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_learner_pages_use_plain_words_and_show_no_question_ids(app: Flask, student: FlaskClient) -> None:
    bank = app.extensions["bank"]
    _, code = make_class(app)
    student.post("/join", data={"join_code": code})
    question_page = student.get("/study/")
    token = token_of(question_page.data)
    pages = {"/study/": question_page.get_data(as_text=True)}
    from webapp.questions.tokens import verify

    item_id = verify(app.config["SECRET_KEY"], token, user_id(app, "ada@example.com")).item_id
    answered = student.post("/study/answer", data={"presentation": token,
                                                   **answer_fields(bank.get(item_id), correct=False)})
    pages["answer"] = student.get(answered.headers["Location"]).get_data(as_text=True)
    exam_id = start(student, length="20")
    pages["exam intro"] = student.get(f"/exams/{exam_id}").get_data(as_text=True)
    student.post(f"/exams/{exam_id}/begin")
    pages["exam question"] = student.get(f"/exams/{exam_id}/q/1").get_data(as_text=True)
    for answer in exam_of(app, exam_id).answers:
        student.post(f"/exams/{exam_id}/q/{answer.position}",
                     data={**answer_fields(bank.get(answer.item_id), correct=answer.position % 3 == 0), "go": "next"})
    pages["exam review"] = student.get(f"/exams/{exam_id}/review").get_data(as_text=True)
    student.post(f"/exams/{exam_id}/finish")
    pages["exam result"] = student.get(f"/exams/{exam_id}/result").get_data(as_text=True)
    student.post(f"/report/{item_id}", data={"reason": "typo"})
    for path in ("/", "/study/", "/progress", "/exams/", "/lessons/", f"/report/{item_id}", "/report/mine",
                 "/account/", "/join", "/decks/"):
        response = student.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    lesson = next(iter(bank.questions)).lesson
    module = next(iter(bank.questions)).module
    pages["lesson"] = student.get(f"/lessons/{module}/{lesson}").get_data(as_text=True)
    ids = {question.id for question in bank.questions}
    for name, page in pages.items():
        text = visible_text(page)
        found = BANNED.search(text)
        assert found is None, f"{name}: {found.group(0)!r} in …{text[max(0, found.start() - 80):found.end() + 80]}…"
        shown = {item for item in ids if re.search(rf"(?<![\w/-]){re.escape(item)}(?![\w/-])", text)}
        assert not shown, f"{name} shows question ids {sorted(shown)[:3]}"
    assert "What these words mean" in pages["/progress"]  # a term that stays is explained


def test_the_scan_would_catch_jargon_and_ids() -> None:
    assert BANNED.search(visible_text("<p>Scheduled by FSRS</p>"))
    assert BANNED.search(visible_text("<p>true retention, 30 days</p>"))
    assert not BANNED.search(visible_text('<a href="/x" data-fsrs="1">Study</a>'))


def test_rating_previews_never_read_alike() -> None:
    minute, hour, day = dt.timedelta(minutes=1), dt.timedelta(hours=1), dt.timedelta(days=1)
    assert rating_previews([minute, 10 * minute, 2 * day, 4 * day], [day] * 4) == ["1 min", "10 min", "2 days", "4 days"]
    # Close waits shown in a finer unit.
    assert rating_previews([10 * minute, 20 * hour, 26 * hour, 30 * hour], [day] * 4) == ["10 min", "20 h", "26 h", "30 h"]
    assert rating_previews([10 * minute, 1.2 * day, 1.4 * day, 3 * day], [day] * 4)[1:3] == ["29 h", "34 h"]
    assert rating_previews([10 * minute, 2.6 * day, 2.8 * day, 9 * day], [day] * 4)[1:3] == ["2.6 days", "2.8 days"]
    # Whole-day waits that tie: the wait after the next good answer tells them apart.
    labels = rating_previews([10 * minute, 10 * day, 10 * day, 22 * day], [day, 18 * day, 25 * day, 50 * day])
    assert labels == ["10 min", "10 days, then 18 days", "10 days, then 25 days", "22 days"]
    assert len(set(labels)) == 4
