"""A small world for the trust tests: two instructors, a class with one student who has answered once.

The student also has a practice exam (not begun), an open report on a question,
a finished Anki import and a pending password reset link; the class has an
exam assignment. `build_world` makes it straight in the database (through the
apps' own services where there is one: answers, exams, reports, reset links),
`client_for` logs a role in through the real form, and `fill` puts the world's
ids into a route's path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from tests.webapp.helpers import answer_fields
from webapp.accounts.auth.passwords import hash_password
from webapp.accounts.profile.resets import issue_reset
from webapp.accounts.profile.tokens import issue_token
from webapp.classes.codes import new_join_code
from webapp.exams.service import create_exam
from webapp.platform.content import get_course
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, Assignment, Enrollment, SchoolClass, SyncToken, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.reports.service import create_report

PASSWORD = "correct horse battery"
ROLES = ("anonymous", "student", "own", "other")
EMAILS = {"student": "sam@example.com", "own": "olive@example.com", "other": "otto@example.com"}


@dataclass
class World:
    """Ids every route's path may need."""

    class_id: int
    other_class_id: int
    student_id: int
    review_id: int
    module_id: str
    lesson_id: str
    deck_file: str
    exam_id: int  # the student's practice exam, created but not begun
    assignment_id: int  # an exam assignment of the student's class
    report_id: int  # the student's open report (on another item than `item_id`)
    job_id: int  # the student's finished Anki import
    item_id: str  # a question of the class (not reported)
    token: str  # a pending password reset link for the student
    token_id: int  # the student's personal token for the Anki add-on
    extra: dict[str, Any] = field(default_factory=dict)


def stub_builder(_bank: Any, _selection: Any, path: Path) -> None:
    """A deck builder that writes a few bytes at once (the real one is the decks package's)."""
    path.write_bytes(b"not a real deck")


def build_world(app: Flask) -> World:
    """Olive teaches Sam's class, Otto teaches another; Sam has answered one question and has one of each record."""
    from webapp.downloads.files import catalogue

    with app.app_context():
        session = get_session()
        users = {
            role: User(email=email, display_name=role.title(), password_hash=hash_password(PASSWORD),
                       role="student" if role == "student" else "instructor")
            for role, email in EMAILS.items()
        }
        session.add_all(users.values())
        session.flush()
        own = SchoolClass(name="Olive's class", instructor_id=users["own"].id, join_code=new_join_code(), modules=[])
        other = SchoolClass(name="Otto's class", instructor_id=users["other"].id, join_code=new_join_code(), modules=[])
        session.add_all([own, other])
        session.flush()
        session.add(Enrollment(class_id=own.id, user_id=users["student"].id))
        session.commit()
        bank = app.extensions["bank"]
        question = bank.questions[0]
        response = parse_response(question, MultiDict(answer_fields(question))).response
        now = dt.datetime.now(dt.timezone.utc)
        student_id = users["student"].id
        recorded = record_answer(session, student_id, question, response, 4000, "world-1", now, 0.9, 0.95)
        course = get_course()
        lesson = course.lessons_of(course.modules[0].id)[0]
        deck_file = next(iter(catalogue(bank)))
        exam = create_exam(session, student_id, bank, length=10, modules=None, time_limit_min=None, now=now)
        report = create_report(session, student_id, bank.questions[1].id, "typo", "A typo.", now)
        # Assignments and import jobs are written by their views alone: no service to call here.
        assignment = Assignment(class_id=own.id, title="Mock exam", kind="exam", modules=[], lessons=[],
                                exam_length=10, due_on=now.date() + dt.timedelta(days=7))
        job = AnkiImport(user_id=student_id, filename="collection.colpkg", status="done", stage="Done", percent=100,
                         message="", finished_at=now)
        session.add_all([assignment, job])
        session.commit()
        token = issue_reset(session, users["student"], users["own"].id, now, 24)
        issue_token(session, users["student"], "Anki", now, 10)
        token_id = session.scalars(select(SyncToken.id).where(SyncToken.user_id == student_id)).one()
        return World(own.id, other.id, student_id, recorded.review.id, course.modules[0].id, lesson.id, deck_file,
                     exam_id=exam.id, assignment_id=assignment.id, report_id=report.id, job_id=job.id,
                     item_id=question.id, token=token, token_id=token_id)


def client_for(app: Flask, role: str) -> FlaskClient:
    """A client logged in as `role` (anonymous: not logged in)."""
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/login", data={"email": EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302, role
    return client


def fill(rule: str, world: World) -> str:
    """The rule's path with the world's ids (`/instructor/classes/<int:class_id>` → `/instructor/classes/7`)."""
    values = {
        "class_id": world.class_id, "user_id": world.student_id, "review_id": world.review_id,
        "module_id": world.module_id, "lesson_id": world.lesson_id, "filename": world.deck_file,
        "path:filename": "site.css", "exam_id": world.exam_id, "position": 1,
        "assignment_id": world.assignment_id, "report_id": world.report_id, "job_id": world.job_id,
        "item_id": world.item_id, "token": world.token, "token_id": world.token_id, **world.extra,
    }
    path = rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in path, f"no value for {path}"
    return path
