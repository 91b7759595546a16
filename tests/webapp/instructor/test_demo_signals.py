"""The demo class as an instructor reads it on a Monday morning: who is flagged, and why.

Written down from each demo student's history (`ensure_demo`: seed 2026, six
students, 21 days, exam about five weeks ahead; the 255-question bank of
issue 15), read from the tables before comparing with the flags the code gives:
- Demo Student 2 stopped studying 9 days ago, in a class that studies every
  day or two: "inactive". Well ahead of pace otherwise (150 met).
- Demo Student 4 studies regularly but remembers only about two thirds of
  learned questions over some 50 reviews: "retention".
- Demo Student 5 has met under 40 of the roughly 90 questions the pace needs
  and has not studied for 6 days: "behind" and "inactive".
- Demo Students 1, 3 and 6 keep up: 1 is a little short of pace (about 80 of
  90) and last studied 4 days ago, which is under three of the class's usual
  gaps; 3 meets the pace exactly with 71 % retention, close to the 70 % line
  but not clear evidence; 6 retains over 90 %.
Three of six flagged, each for reasons an instructor would see on the page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from tests.webapp.instructor.demo_helpers import demo_facts
from webapp.instructor.dashboard import class_rows
from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass
from webapp.tools.synthetic import demo
from webapp.tools.synthetic.demo import ensure_demo

EXPECTED = {
    "Demo Student 2": {"inactive"},
    "Demo Student 4": {"retention"},
    "Demo Student 5": {"behind", "inactive"},
}


# The demo's history is simulated back from "now" in whole UTC days, so its
# students sit at different distances from the flags' thresholds at different
# times of day: the test fixes the moment.
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)


def test_demo_class_flags_the_students_an_instructor_would(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    app.config["DEMO_DATA"] = True
    monkeypatch.setattr(demo, "utcnow", lambda: NOW)
    ensure_demo(app)
    now = NOW
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
