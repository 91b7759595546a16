"""Item analysis pages: rows in the question's own words, filters, and one question with who picked what."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from quizzes.bank import build_bank
from quizzes.questions import ChoiceQuestion, ClozeQuestion
from tests.webapp.instructor.helpers import NOW, PASSWORD, School, answer
from webapp.platform.content import item_label


def test_cloze_rows_show_their_sentence(course: object) -> None:
    bank = build_bank(course)  # type: ignore[arg-type]
    clozes = [q for q in bank.questions if isinstance(q, ClozeQuestion)]
    assert clozes
    for question in clozes:
        label = item_label(question)
        assert label != question.stem and label != "Complete the sentence." and "…" in label


def test_item_page_names_who_picked_each_option(client: FlaskClient, app: Flask, school: School) -> None:
    bank = app.extensions["bank"]
    question = next(q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"
                    and any(o.unsafe for o in q.options))
    unsafe = next(o for o in question.options if o.unsafe)
    right = next(o for o in question.options if o.correct)
    answer(app, school.ann, question, unsafe.id, NOW - dt.timedelta(days=2), 1)
    answer(app, school.ann, question, right.id, NOW - dt.timedelta(days=1), 2)
    answer(app, school.bob, question, unsafe.id, NOW - dt.timedelta(days=2), 1)
    client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    base = f"/instructor/classes/{school.class_id}"
    page = client.get(f"{base}/items/{question.id}").data.decode()
    assert str(escape(item_label(question))) in page and str(escape(question.explanation[:40])) in page
    assert "too few attempts to say" in page
    unsafe_row = page[page.index(f'data-option="{unsafe.id}"'):]
    unsafe_row = unsafe_row[:unsafe_row.index("</tr>")]
    assert "Ann" in unsafe_row and "Bob" in unsafe_row and ">2<" not in unsafe_row
    still = page[page.index("Still answered unsafely by"):]
    assert ">Bob</a>" in still[:still.index("</dd>")] and "Ann" not in still[:still.index("</dd>")]
    # The list: 3 attempts are under the default minimum of 5, but a safety-critical item is never left out:
    # it is shown, marked as resting on few attempts, with its students beside its figures.
    listed = client.get(f"{base}/items").data.decode()
    if question.safety_critical:
        row = listed[listed.index(f'data-item="{question.id}"'):]
        row = row[:row.index("</tr>")]
        assert 'data-few="1"' in row and "Few attempts" in row and 'data-students="2"' in row
        assert 'data-attempts="3"' in row and ">2 <span class=\"muted small\">of 3</span>" in row
    else:
        assert question.id not in listed
    assert f'data-item="{question.id}"' in client.get(f"{base}/items?min_attempts=0").data.decode()
    assert f'data-item="{question.id}"' in client.get(f"{base}/items?min_attempts=0&still_unsafe=1").data.decode()
    assert client.get(f"{base}/items?min_attempts=-3&module=nope&sort=zz").status_code == 200
    assert client.get(f"{base}/items/not-an-item").status_code == 404
    unsafe_page = client.get(f"{base}/unsafe").data.decode()
    assert unsafe.text in unsafe_page and "answered safely" in unsafe_page and "Still unsafe" in unsafe_page
    csv_rows = list(csv.reader(io.StringIO(client.get(f"{base}/export/unsafe.csv").data.decode())))[1:]
    named = sorted((row[0], row[-1]) for row in csv_rows if question.id in row)
    assert named == [("Ann", "0"), ("Bob", "1")]


def test_item_analysis_groups_by_learning_objective(client: FlaskClient, app: Flask, school: School) -> None:
    bank = app.extensions["bank"]
    objective = next(o for o in bank.objectives
                     if sum(isinstance(q, ChoiceQuestion) and q.type == "mcq" for q in bank.by_objective(o)) >= 2)
    first, second = [q for q in bank.by_objective(objective) if isinstance(q, ChoiceQuestion) and q.type == "mcq"][:2]
    wrong = next(o for o in first.options if not o.correct)
    right = next(o for o in second.options if o.correct)
    for student in (school.ann, school.bob):
        answer(app, student, first, wrong.id, NOW - dt.timedelta(days=2), 1)
        answer(app, student, second, right.id, NOW - dt.timedelta(days=1), 1)
    client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    page = client.get(f"/instructor/classes/{school.class_id}/items?min_attempts=0&group=objective").data.decode()
    row = page[page.index(f'data-objective="{objective}"'):]
    row = row[:row.index("</tr>")]
    assert str(escape(bank.objective_text(objective))) in row
    assert ">4<" in row and "50" in row  # four first attempts over the two siblings, half right
    assert f"/items/{first.id}" in row  # the weakest of them, to open
    assert 'data-item="' not in page  # objectives instead of items
    assert 'data-item="' in client.get(f"/instructor/classes/{school.class_id}/items?min_attempts=0").data.decode()


def test_few_attempts_hide_only_items_that_are_not_safety_critical(client: FlaskClient, app: Flask,
                                                                   school: School) -> None:
    bank = app.extensions["bank"]
    choices = [q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"]
    safety = next(q for q in choices if q.safety_critical)
    plain = next(q for q in choices if not q.safety_critical)
    for question in (safety, plain):
        wrong = next(o for o in question.options if not o.correct)
        answer(app, school.ann, question, wrong.id, NOW - dt.timedelta(days=1), 1)
    client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    listed = client.get(f"/instructor/classes/{school.class_id}/items").data.decode()
    assert f'data-item="{plain.id}"' not in listed
    row = listed[listed.index(f'data-item="{safety.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-few="1"' in row and 'data-students="1"' in row and 'data-facility="0"' in row
    assert "1 question with fewer than 5 attempts not shown" in listed
