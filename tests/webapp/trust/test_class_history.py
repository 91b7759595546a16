"""What a class sees of a student's past (issue 27, no. 8): nothing from before the student joined it.

- An instructor saw report comments a student wrote before joining the class;
  now only reports made since the (current) enrolment are listed or answerable.
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
from webapp.platform.models import Assignment, Enrollment, QuestionReport, SchoolClass
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer


def _rejoin(app: Flask, class_id: int) -> None:
    sam = client_for(app, "student")
    assert sam.post(f"/classes/{class_id}/leave").status_code == 302
    with app.app_context():
        code = get_session().scalar(select(SchoolClass.join_code).where(SchoolClass.id == class_id))
    assert sam.post("/join", data={"join_code": code}).status_code == 302


def test_reports_written_before_joining_stay_private(app: Flask) -> None:
    world = build_world(app)
    with app.app_context():  # the report was written an hour before Sam joined the class
        session = get_session()
        report = session.get(QuestionReport, world.report_id)
        assert report is not None
        report.comment = "Written before I joined this class"
        enrolment = session.scalar(select(Enrollment).where(Enrollment.user_id == world.student_id))
        assert enrolment is not None
        report.created_at = enrolment.joined_at - dt.timedelta(hours=1)
        session.commit()
    olive = client_for(app, "own")
    page = olive.get(f"/instructor/classes/{world.class_id}/reports")
    assert page.status_code == 200
    assert b"Written before I joined" not in page.data
    answered = olive.post(f"/instructor/classes/{world.class_id}/reports/{world.report_id}",
                          data={"status": "resolved", "reply": "Seen it anyway"})
    assert answered.status_code == 404
    with app.app_context():
        assert get_session().get(QuestionReport, world.report_id).status == "open"  # type: ignore[union-attr]


def test_leaving_and_rejoining_hides_reports_from_the_earlier_enrolment(app: Flask) -> None:
    world = build_world(app)
    with app.app_context():
        session = get_session()
        report = session.get(QuestionReport, world.report_id)
        assert report is not None
        report.comment = "From my first time in the class"  # written while enrolled the first time
        session.commit()
    _rejoin(app, world.class_id)
    page = client_for(app, "own").get(f"/instructor/classes/{world.class_id}/reports")
    assert b"From my first time" not in page.data


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
