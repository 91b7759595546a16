"""The demo class as an instructor reads it on a Monday morning: who is flagged, and why.

Written down from each demo student's history (`ensure_demo`: seed 2026, six
students, 21 days, exam about five weeks ahead; the 171-question bank as its
items read after the 2026-12-08 review round: the simulation draws from the
bank, so a change to the bank can move these figures), read from the tables
before comparing with the flags the code gives:

- Demo Student 2 stopped studying 9 days ago, in a class that studies every
  1.6 days: "inactive". Well ahead of pace otherwise (138 of 171 met; 4.5 new
  questions a day lately against 0.9 needed).
- Demo Student 4 studies regularly and keeps pace (3.8 new questions a day
  against 3.2 needed) but remembers 68 % of learned questions over 59 reviews:
  "retention".
- Demo Student 5 last studied 5 days ago: "inactive"; and meets 2.3 new
  questions a day against the 3.4 a day that would meet all 171 by the exam
  (131 by then): "behind", will not finish.
- Demo Students 1, 3 and 6 keep up: each meets more new questions a day
  lately (3.6-4.3) than the exam needs (2.0-2.3).

Three of six flagged, each for reasons an instructor would see on the page.
On the forecast page Demo Students 1 to 4 are "at risk" all the same: their
projected exam-day recall (68-88 %) is under the class's 90 % target.
"""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from sqlalchemy import select

from tests.webapp.instructor.demo_helpers import demo_facts
from webapp.instructor import forecast, pace
from webapp.instructor.analytics import exam_moment
from webapp.instructor.dashboard import at_recent_pace, class_rows
from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass
from webapp.tools.synthetic import demo
from webapp.tools.synthetic.demo import ensure_demo

EXPECTED: dict[str, set[str]] = {
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
    assert {row.name: (round(row.projection.recent_pace, 6), round(row.projection.needed_pace, 6),
                       row.projection.projected_met, row.projection.verdict) for row in rows if row.projection} == {
        name: (round(recent, 6), round(needed, 6), met, verdict)
        for name, (recent, needed, met, verdict) in facts.projection.items()}
    # The forecast page's verdicts, recall at the recent pace included, against the oracle's.
    with app.app_context():
        school_class = get_session().scalar(select(SchoolClass).where(SchoolClass.name == "Demo class"))
        assert school_class is not None
        items, rows = class_rows(school_class, now)
        exam = exam_moment(school_class)
        assert exam is not None
        recalls = forecast.item_recalls(get_session(), [row.user_id for row in rows], [q.id for q in items], exam)
        verdicts = at_recent_pace(school_class, rows, items, recalls, now, exam)
    names = {row.user_id: row.name for row in rows}
    assert {names[uid]: v.verdict for uid, v in verdicts.items()} == facts.verdict
    for uid, v in verdicts.items():
        assert v.recall == pytest.approx(facts.recall_on_the_day[names[uid]], abs=1e-9)
    combined = pace.combine(list(verdicts.values()))
    assert combined is not None and combined.verdict == facts.class_verdict
