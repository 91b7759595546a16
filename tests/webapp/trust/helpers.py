"""A small world for the trust tests: two instructors, a class with one student who has answered once.

`build_world` makes it straight in the database (through the same service that
records answers), `client_for` logs a role in through the real form, and
`fill` puts the world's ids into a route's path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.webapp.helpers import answer_fields
from webapp.auth.passwords import hash_password
from webapp.classes.codes import new_join_code
from webapp.content import get_course
from webapp.db import get_session
from webapp.models import Enrollment, SchoolClass, User
from webapp.study.responses import parse_response
from webapp.study.service import record_answer

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
    extra: dict[str, Any] = field(default_factory=dict)


def stub_builder(_bank: Any, _selection: Any, path: Path) -> None:
    """A deck builder that writes a few bytes at once (the real one is the decks package's)."""
    path.write_bytes(b"not a real deck")


def build_world(app: Flask) -> World:
    """Olive teaches Sam's class, Otto teaches another; Sam has answered one question."""
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
        question = app.extensions["bank"].questions[0]
        response = parse_response(question, MultiDict(answer_fields(question))).response
        recorded = record_answer(session, users["student"].id, question, response, 4000, "world-1",
                                 dt.datetime.now(dt.timezone.utc), 0.9, 0.95)
        course = get_course()
        lesson = course.lessons_of(course.modules[0].id)[0]
        deck_file = next(iter(catalogue(app.extensions["bank"])))
        return World(own.id, other.id, users["student"].id, recorded.review.id, course.modules[0].id,
                     lesson.id, deck_file)


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
        "path:filename": "site.css", **world.extra,
    }
    path = rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    assert "<" not in path, f"no value for {path}"
    return path
