"""The demo class as an instructor reads it on a Monday morning: who is flagged, and why.

Written down before looking at the flags the code gives, from each demo
student's history (`ensure_demo`: seed 2026, six students, 21 days, exam about
five weeks ahead):
- Demo Student 1 and Demo Student 2 gave up studying 9-10 days ago, in a class
  that studies every day or two: "inactive". Nothing else is wrong with them.
- Demo Student 4 studies regularly but remembers only about 60 % of learned
  questions over some 70 reviews: "retention".
- Demo Student 5 studied in bursts with an 11-day gap and has met about 40 of
  the roughly 100 questions the pace needs by now: "behind".
- Demo Students 3 and 6 keep up (about as many questions met as the pace
  needs, 71 % and 95 % retention): on track. Student 3's 71 % is close to the
  70 % line and stays unflagged: being close is not clear evidence.
Four of six flagged, each for one reason an instructor would see on the page.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from tests.webapp.instructor.demo_helpers import demo_facts
from webapp.db import get_session
from webapp.instructor.dashboard import class_rows
from webapp.models import SchoolClass, utcnow
from webapp.synthetic.demo import ensure_demo

EXPECTED = {
    "Demo Student 1": {"inactive"},
    "Demo Student 2": {"inactive"},
    "Demo Student 4": {"retention"},
    "Demo Student 5": {"behind"},
}


def test_demo_class_flags_the_students_an_instructor_would(app: Flask) -> None:
    app.config["DEMO_DATA"] = True
    ensure_demo(app)
    now = utcnow()
    with app.app_context():
        school_class = get_session().scalar(select(SchoolClass).where(SchoolClass.name == "Demo class"))
        assert school_class is not None
        _, rows = class_rows(school_class, now)
    flagged = {row.name: {flag.kind for flag in row.flags} for row in rows if row.flags}
    assert flagged == EXPECTED
    assert all(flag.words and flag.anchor for row in rows for flag in row.flags)
    # The same answer worked out from the raw tables with the rules as the page states them.
    facts = demo_facts(app.extensions["db_engine"], app.extensions["bank"], "Demo class", now)
    assert facts.flagged == EXPECTED
    assert {row.name: (row.seen, row.total) for row in rows} == {n: f[:2] for n, f in facts.forecast.items()}
