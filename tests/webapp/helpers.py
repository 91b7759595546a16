"""Helpers for webapp tests: sign-up and log-in, classes made in the database, answers built from questions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)
from webapp.accounts.auth.passwords import hash_password
from webapp.classes.codes import new_join_code
from webapp.platform.models import SchoolClass, User

TOKEN = re.compile(r'name="presentation" value="([^"]+)"')
PASSWORD = "correct horse battery"  # `signup`'s
TEACHER_PASSWORD = "x" * 12  # the instructor of `make_class`

# For a test whose subject is not the database (Redis, a file's contents, a process's life): it runs over SQLite
# only, instead of once per database. Each use says why; anything a database can change stays on both.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def signup(client: FlaskClient, email: str = "ada@example.com", name: str = "Ada", password: str = PASSWORD) -> Any:
    """Sign up through the form, then log in (CSRF is off in route tests); the log-in response.

    Sign-up itself never logs in: it answers a known email and a new one alike.
    """
    client.post("/signup", data={"email": email, "display_name": name, "password": password})
    return client.post("/login", data={"email": email, "password": password})


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log in through the form (CSRF is off in route tests) and check it worked (a redirect); the response."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.data
    return response


def teacher_email(app: Flask, class_id: int) -> str:
    """The email of the instructor of class `class_id`."""
    from webapp.platform.db import get_session

    with app.app_context():
        teacher = get_session().scalar(select(User).join(SchoolClass, SchoolClass.instructor_id == User.id).where(SchoolClass.id == class_id))
        assert teacher is not None
        return teacher.email


def user_id(app: Flask, email: str) -> int:
    """The id of the user with `email`."""
    from webapp.platform.db import get_session

    with app.app_context():
        return int(get_session().scalar(select(User.id).where(User.email == email)))


def make_class(app: Flask, **fields: Any) -> tuple[int, str]:
    """An instructor and a class straight in the database; returns (class id, join code)."""
    from webapp.platform.db import get_session

    with app.app_context():
        session = get_session()
        teacher = User(email=f"teacher-{new_join_code().lower()}@example.com", display_name="Ms Teacher", role="instructor", password_hash=hash_password(TEACHER_PASSWORD))
        session.add(teacher)
        session.flush()
        school_class = SchoolClass(name=fields.pop("name", "Spring cohort"), instructor_id=teacher.id, join_code=fields.pop("join_code", new_join_code()), **fields)
        session.add(school_class)
        session.commit()
        return school_class.id, school_class.join_code


def answer_fields(question: Question, correct: bool = True) -> dict[str, Any]:
    """Form fields answering `question` right (or wrong)."""
    if isinstance(question, ChoiceQuestion):
        right = [o.id for o in question.options if o.correct]
        wrong = [o.id for o in question.options if not o.correct]
        if question.type == "mcq":
            return {"choice": right[0] if correct else wrong[0]}
        return {"choice": right if correct else wrong[:1]}
    if isinstance(question, TrueFalseQuestion):
        return {"answer": str(question.answer if correct else not question.answer).lower()}
    if isinstance(question, ClozeQuestion):
        return {f"blank-{n}": (answers[0] if correct else "zzzz") for n, answers in enumerate(question.blanks, start=1)}
    if isinstance(question, MatchingQuestion):
        ids = [p.id for p in question.pairs]
        shifted = ids[1:] + ids[:1]
        return {f"match-{pid}": (pid if correct else other) for pid, other in zip(ids, shifted)}
    if isinstance(question, HotspotQuestion):
        return {"region": region_value(question, question.region if correct else next(r for r in question.regions if r != question.region))}
    raise AssertionError(question.type)


def region_value(question: HotspotQuestion, region: str) -> str:
    """The neutral form value ("4": region 4 of the map) that picks `region` on a locate question."""
    from quizzes.bodymap import locate_spots

    return str(next(spot.number for spot in locate_spots(question.regions) if spot.site == region))


def token_of(html: bytes) -> str:
    """The presentation token in a question page."""
    match = TOKEN.search(html.decode())
    assert match, "no question on the page"
    return match.group(1)


def copy_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second client holding `client`'s session cookie (another device, or an attacker's copy)."""
    other = app.test_client()
    cookie = client.get_cookie("session")
    assert cookie is not None, "signed-in client has no session cookie"
    other.set_cookie("session", cookie.value)
    return other


def teacher_and_class(app: Flask, client: FlaskClient) -> int:
    """Sign up "Teach" through the form, make them an instructor with a class "Evening"; the class id."""
    signup(client, email="teach@example.com", name="Teach")
    from webapp.platform.db import get_session

    with app.app_context():
        session = get_session()
        teacher = session.scalar(select(User).where(User.email == "teach@example.com"))
        assert teacher is not None
        teacher.role = "instructor"
        school_class = SchoolClass(name="Evening", instructor_id=teacher.id, join_code="EVE123", modules=[])
        session.add(school_class)
        session.commit()
        return school_class.id
