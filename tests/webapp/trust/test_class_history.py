"""What a class sees of a student's past (issue 27, no. 8): nothing from before the student joined it.

- An instructor saw report comments a student wrote before joining the class;
  now a report reaches only the classes its student was in when writing it
  (and it stays with them after the student leaves or rejoins).
- An Anki upload of old history marked a study assignment complete on a date
  before the assignment existed; now the completion date is never before it was set.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.webapp.helpers import answer_fields
from tests.webapp.trust.helpers import build_world, client_for
from webapp.classes.assignments import progress
from webapp.platform.db import get_session
from webapp.platform.models import Assignment, QuestionReport, SchoolClass
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer


def _leave(app: Flask, class_id: int) -> None:
    assert client_for(app, "student").post(f"/classes/{class_id}/leave").status_code == 302


def _join(app: Flask, class_id: int) -> None:
    with app.app_context():
        code = get_session().scalar(select(SchoolClass.join_code).where(SchoolClass.id == class_id))
    assert client_for(app, "student").post("/join", data={"join_code": code}).status_code == 302


def test_reports_written_before_joining_stay_private(app: Flask) -> None:
    world = build_world(app)
    _leave(app, world.class_id)
    sam = client_for(app, "student")
    item = app.extensions["bank"].questions[2].id  # not the world's reported item
    assert sam.post(f"/report/{item}", data={"reason": "typo", "comment": "Written before I joined this class"}).status_code == 302
    _join(app, world.class_id)
    with app.app_context():
        report_id = get_session().scalar(select(QuestionReport.id).where(QuestionReport.item_id == item))
    olive = client_for(app, "own")
    page = olive.get(f"/instructor/classes/{world.class_id}/reports")
    assert page.status_code == 200
    assert b"Written before I joined" not in page.data
    answered = olive.post(f"/instructor/classes/{world.class_id}/reports/{report_id}",
                          data={"status": "resolved", "reply": "Seen it anyway"})
    assert answered.status_code == 404
    with app.app_context():
        assert get_session().get(QuestionReport, report_id).status == "open"  # type: ignore[union-attr]


def test_a_report_written_to_the_class_stays_with_it_after_leaving_and_rejoining(app: Flask) -> None:
    world = build_world(app)
    with app.app_context():
        session = get_session()
        report = session.get(QuestionReport, world.report_id)
        assert report is not None
        report.comment = "From my first time in the class"  # written while enrolled the first time
        session.commit()
    _leave(app, world.class_id)
    away = client_for(app, "own").get(f"/instructor/classes/{world.class_id}/reports")
    assert b"From my first time" in away.data and b"left the class" in away.data
    _join(app, world.class_id)
    back = client_for(app, "own").get(f"/instructor/classes/{world.class_id}/reports")
    assert b"From my first time" in back.data and b"left the class" not in back.data
    # Another class's instructor never sees it.
    assert b"From my first time" not in client_for(app, "other").get(
        f"/instructor/classes/{world.other_class_id}/reports").data


def test_old_anki_history_completes_an_assignment_no_earlier_than_it_was_set(app: Flask) -> None:
    world = build_world(app)
    now = dt.datetime.now(dt.timezone.utc)
    bank = app.extensions["bank"]
    with app.app_context():
        session = get_session()
        lesson = world.lesson_id
        assignment = Assignment(class_id=world.class_id, title="Read the lesson", kind="study", modules=[],
                                lessons=[lesson], due_on=now.date() + dt.timedelta(days=7), created_at=now)
        session.add(assignment)
        session.commit()
        long_ago = now - dt.timedelta(days=40)
        for n, question in enumerate(bank.by_lesson(lesson)):
            response = parse_response(question, MultiDict(answer_fields(question))).response
            record_answer(session, world.student_id, question, response, 4000, f"anki-{n}",
                          long_ago + dt.timedelta(minutes=n), 0.9, 0.95, source="anki")
        done = progress(session, bank, assignment, world.student_id)
        assert done.complete
        assert done.completed_at is not None and done.completed_at >= assignment.created_at, done.completed_at
    export = client_for(app, "own").get(f"/instructor/classes/{world.class_id}/export/assignments.csv?format=long")
    rows = [row for row in csv.DictReader(io.StringIO(export.get_data(as_text=True)))
            if row["assignment"] == "Read the lesson"]
    assert rows and rows[0]["completed"] >= now.date().isoformat(), rows
