"""Names in CSV files cannot start a row or a formula (issue 27, no. 6).

A display name `Bob\\r=1+1` was accepted at sign-up and written unquoted to
progress.csv and unsafe.csv, so a reader that splits lines on a bare CR began a
row with `=1+1`. Now sign-up refuses control characters in a name with a clear
message, and every export (names already stored included) quotes every field
and turns control characters into spaces.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from tests.webapp.instructor.helpers import PASSWORD, build_school
from webapp.platform.db import get_session
from webapp.platform.models import Assignment, User

HOSTILE = {"ann": "Ann\n@SUM(1+1)", "bob": "Bob\r=1+1", "cat": "Cat\u2028+1\u2029-2\x85"}
LINE_BREAKS = re.compile("\r\n|\r|\n|\u2028|\u2029|\x85")
FORMULA = ("=", "+", "-", "@")


@pytest.mark.parametrize("name", ["Bob\r=1+1", "Bob\n=1+1", "Bob\t=1+1", "Bob\u2028=1+1", "Bob\u202eevil", "Bob\x85x"])
def test_sign_up_refuses_a_name_with_control_characters(app: Flask, client: FlaskClient, name: str) -> None:
    response = client.post("/signup", data={"email": "bob@example.com", "display_name": name, "password": PASSWORD})
    assert response.status_code == 400
    assert b"Use one line of plain text" in response.data
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(User).where(User.email == "bob@example.com")) == 0


def _hostile_class(app: Flask) -> int:
    """The instructor fixture's class, its students' names as an old sign-up stored them, and an assignment."""
    school = build_school(app)
    with app.app_context():
        session = get_session()
        for key, name in HOSTILE.items():
            session.execute(update(User).where(User.email == f"{key}@example.com").values(display_name=name))
        session.add(Assignment(class_id=school.class_id, title="=HYPERLINK(\"x\")\rdue", kind="study", modules=[],
                               lessons=[], due_on=dt.date(2030, 1, 1)))
        session.commit()
    return school.class_id


@pytest.mark.parametrize("path", ["export/progress.csv", "export/unsafe.csv", "export/items.csv", "export/assignments.csv",
                                  "export/assignments.csv?format=long"])
def test_every_export_quotes_every_field_and_keeps_one_row_per_line(app: Flask, path: str) -> None:
    class_id = _hostile_class(app)
    client = app.test_client()
    assert client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD}).status_code == 302
    response = client.get(f"/instructor/classes/{class_id}/{path}")
    assert response.status_code == 200, path
    text = response.data.decode("utf-8")
    lines = [line for line in LINE_BREAKS.split(text) if line]
    rows = list(csv.reader(io.StringIO(text)))
    assert len(lines) == len(rows), "a cell holds a line break: a line-splitting reader sees extra rows"
    for line in lines:
        assert line.startswith('"') and line.endswith('"'), f"an unquoted field: {line[:60]!r}"
    for row in rows:
        for cell in row:
            assert not LINE_BREAKS.search(cell) and not re.search("[\x00-\x1f\x7f-\x9f]", cell), repr(cell)
            assert not cell.lstrip().startswith(FORMULA) or re.fullmatch(r"-?[\d.]+", cell), repr(cell)
