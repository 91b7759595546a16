"""Assignments: instructors set work; students see it; progress, priority in the planner, CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.webapp.helpers import answer_fields, signup, teacher_and_class, token_of, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Assignment, utcnow

LESSON = "why-nerves-rarely-hurt"


def lesson_items(app: Flask) -> list[str]:
    return [q.id for q in app.extensions["bank"].by_lesson(LESSON)]


def study_lesson(app: Flask, client: FlaskClient, email: str, banner: bytes | None = None) -> None:
    """Answer every item of the assigned lesson: today what the planner offers, the siblings it defers after.

    The planner puts the assigned items first, one item per objective today (siblings wait until tomorrow,
    as Anki buries them); the deferred siblings are then answered as the next day's study would show them.
    """
    from webapp.questions import tokens

    bank, uid = app.extensions["bank"], user_id(app, email)
    items = set(lesson_items(app))
    offered: list[str] = []
    while True:
        page = client.get("/study/")
        if banner is not None:
            assert banner in page.data  # due within a week: shown above the question
        token = token_of(page.data)
        item = tokens.verify("test-secret", token, uid).item_id
        if item not in items:
            break
        offered.append(item)
        client.post("/study/answer", data={"presentation": token, **answer_fields(bank.get(item))})
    objectives = {bank.get(item).objective for item in items}
    assert len(offered) == len(objectives) == len({bank.get(item).objective for item in offered})
    for item in sorted(items - set(offered)):
        token = tokens.issue("test-secret", uid, item, utcnow() - dt.timedelta(seconds=5))
        client.post("/study/answer", data={"presentation": token, **answer_fields(bank.get(item))})


def test_set_study_work_complete_it_and_export(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    due = (utcnow() + dt.timedelta(days=3)).date()
    page = client.get(f"/instructor/classes/{class_id}/assignments")
    assert page.status_code == 200 and b"New assignment" in page.data
    response = client.post(f"/instructor/classes/{class_id}/assignments", data={
        "title": "Nerves first", "kind": "study", "lessons": [LESSON], "due_on": due.isoformat(), "exam_length": "20"})
    assert response.status_code == 302, response.data[:800]
    client.post("/logout")

    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    home = client.get("/")
    assert b"Nerves first" in home.data and b"0 of" in home.data
    # The planner puts the assigned lesson's items first.
    study_lesson(app, client, "stu@example.com", banner=b"Nerves first")
    assert b"Complete" in client.get("/").data
    client.post("/logout")

    client.post("/login", data={"email": "teach@example.com", "password": "correct horse battery"})
    with app.app_context():
        assignment_id = get_session().scalar(select(Assignment.id))
    detail = client.get(f"/instructor/classes/{class_id}/assignments/{assignment_id}")
    assert b"Complete" in detail.data and b"stu@example.com" in detail.data
    exported = client.get(f"/instructor/classes/{class_id}/export/assignments.csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode())))
    # Moodle's grade-import shape: a row per student, a numeric column per assignment, its progress beside it.
    assert rows[0] == ["Email address", "Full name", "Nerves first", "Nerves first (feedback)"]
    assert rows[1][:3] == ["stu@example.com", "Stu", "100"] and len(rows) == 2
    assert rows[1][3].endswith(f"met; complete {utcnow().date().isoformat()}")
    long = list(csv.DictReader(io.StringIO(
        client.get(f"/instructor/classes/{class_id}/export/assignments.csv?format=long").data.decode())))
    assert [(r["email"], r["assignment"], r["grade_percent"], r["status"], r["completed"]) for r in long] == [
        ("stu@example.com", "Nerves first", "100", "complete", utcnow().date().isoformat())]


def test_an_exam_assignment_is_passed_by_an_exam_at_the_minimum(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    due = (utcnow() - dt.timedelta(days=1)).date()
    client.post(f"/instructor/classes/{class_id}/assignments", data={
        "title": "Mock exam", "kind": "exam", "exam_length": "20", "min_score": "1", "due_on": due.isoformat()})
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    assert b"Overdue" in client.get("/").data
    with app.app_context():
        assignment_id = get_session().scalar(select(Assignment.id))
    response = client.post(f"/exams/assigned/{assignment_id}")
    exam_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    client.post(f"/exams/{exam_id}/begin")
    bank = app.extensions["bank"]
    from webapp.platform.models import Exam

    with app.app_context():
        exam = get_session().get(Exam, exam_id)
        assert exam is not None and exam.assignment_id == assignment_id
        first = exam.answers[0].item_id
    client.post(f"/exams/{exam_id}/q/1", data={**answer_fields(bank.get(first)), "go": "finish"})
    assert b"Best score" in client.get("/exams/").data
    client.post("/logout")
    client.post("/login", data={"email": "teach@example.com", "password": "correct horse battery"})
    rows = list(csv.reader(io.StringIO(client.get(f"/instructor/classes/{class_id}/export/assignments.csv").data.decode())))
    assert rows[0][2:] == ["Mock exam", "Mock exam (feedback)"]
    assert rows[1][0] == "stu@example.com" and rows[1][2] == "5"  # 1 of 20 right
    assert rows[1][3] == "best 5 %; complete " + utcnow().date().isoformat()  # the minimum is 1 %


def test_mismatched_settings_and_other_classes_are_refused(app: Flask, client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    due = utcnow().date().isoformat()
    bad = client.post(f"/instructor/classes/{class_id}/assignments", data={
        "title": "X", "kind": "study", "min_score": "50", "due_on": due})
    assert bad.status_code == 400 and b"belongs to a practice exam" in bad.data
    assert client.post(f"/instructor/classes/{class_id}/assignments", data={"kind": "study"}).status_code == 400
    assert client.get(f"/instructor/classes/{class_id + 99}/assignments").status_code == 404
    client.post("/logout")
    signup(client, email="stu@example.com")
    assert client.get(f"/instructor/classes/{class_id}/assignments").status_code == 403
    assert client.post("/exams/assigned/1").status_code == 404


def test_a_recall_target_counts_unstudied_items_as_zero(app: Flask, client: FlaskClient) -> None:
    from webapp.classes.assignments import progress

    class_id = teacher_and_class(app, client)
    client.post(f"/instructor/classes/{class_id}/assignments", data={
        "title": "Recall", "kind": "study", "lessons": [LESSON], "due_on": utcnow().date().isoformat(),
        "recall_target": "80", "safety_only": "y"})
    client.post("/logout")
    signup(client, email="stu@example.com", name="Stu")
    client.post("/join", data={"join_code": "EVE123"})
    uid = user_id(app, "stu@example.com")
    bank = app.extensions["bank"]
    with app.app_context():
        assignment = get_session().scalar(select(Assignment))
        assert assignment is not None and assignment.safety_only and assignment.recall_target == 0.8
        before = progress(get_session(), bank, assignment, uid)
        assert before.recall == 0.0 and not before.complete
    study_lesson(app, client, "stu@example.com")
    with app.app_context():
        assignment = get_session().scalar(select(Assignment))
        assert assignment is not None
        after = progress(get_session(), bank, assignment, uid)
        assert after.seen == after.total and after.recall is not None and after.recall >= 0.8 and after.complete


def test_the_gradebook_has_a_numeric_column_per_assignment_and_a_row_per_student(app: Flask,
                                                                                 client: FlaskClient) -> None:
    class_id = teacher_and_class(app, client)
    due = (utcnow() + dt.timedelta(days=7)).date().isoformat()
    for title, kind in (("Week 1", "study"), ("Week 1", "exam"), ("=SUM(A1)", "study")):
        extra = {"exam_length": "20"} if kind == "exam" else {}
        client.post(f"/instructor/classes/{class_id}/assignments",
                    data={"title": title, "kind": kind, "due_on": due, **extra})
    client.post("/logout")
    for email, name in (("a@example.com", "Ada"), ("b@example.com", "Ben")):
        signup(client, email=email, name=name)
        client.post("/join", data={"join_code": "EVE123"})
        client.post("/logout")
    client.post("/login", data={"email": "teach@example.com", "password": "correct horse battery"})
    rows = list(csv.reader(io.StringIO(
        client.get(f"/instructor/classes/{class_id}/export/assignments.csv").data.decode())))
    header = rows[0]
    assert header[:2] == ["Email address", "Full name"] and len(header) == 2 + 2 * 3
    titles = header[2::2]
    # Two assignments called "Week 1" get their due dates; a formula-like title is made inert.
    assert titles == [f"Week 1 (due {due})", f"Week 1 (due {due}) 2", "'=SUM(A1)"]
    assert len(set(header)) == len(header)
    assert sorted(row[0] for row in rows[1:]) == ["a@example.com", "b@example.com"]
    for row in rows[1:]:
        grades, words = row[2::2], row[3::2]
        assert all(g == "" or float(g) >= 0 for g in grades)  # numbers or no grade, never text
        assert any(w.startswith("not taken") for w in words) and any(" met; " in w for w in words)
