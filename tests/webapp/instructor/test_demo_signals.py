"""The demo class as an instructor reads it on a Monday morning: who is flagged, and why.

Written down from each demo student's history (`ensure_demo`: seed 2026, six
students, 21 days, exam about five weeks ahead; the 171-question bank of
issue 21, where siblings wait a day), read from the tables before comparing
with the flags the code gives:

- Demo Student 2 stopped studying 9 days ago, in a class that studies every
  1.6 days: "inactive". Well ahead of pace otherwise (121 met of 60 expected).
- Demo Student 4 studies regularly but remembers 64 % of learned questions
  over 25 reviews: "retention"; and meets 2.3 new questions a day lately
  against the 3.8 a day that would meet all 171 by the exam (116 by then):
  "behind", it will not finish.
- Demo Student 5 studied yesterday but meets 1.6 new questions a day against
  3.6 needed (95 of 171 by the exam): "behind".
- Demo Students 1, 3 and 6 keep up: each meets more new questions a day
  lately than the exam needs; 1 last studied 3.5 days ago, under three of the
  class's usual gaps.

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

EXPECTED: dict[str, set[str]] = {
    "Demo Student 2": {"inactive"},
    "Demo Student 4": {"behind", "retention"},
    "Demo Student 5": {"behind"},
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
    assert {row.name: (round(row.projection.recent_pace, 6), round(row.projection.needed_pace, 6),
                       row.projection.projected_met, row.projection.verdict) for row in rows if row.projection} == {
        name: (round(recent, 6), round(needed, 6), met, verdict)
        for name, (recent, needed, met, verdict) in facts.projection.items()}
