"""Every class aggregate against values worked out by hand on the fixture in conftest.py."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from flask import Flask
from fsrs.scheduler import DEFAULT_PARAMETERS

from tests.webapp.instructor.helpers import NOW, School, restate_rollups
from webapp.instructor import analytics, pace
from webapp.instructor.unsafe import still_unsafe_items, unsafe_picks
from webapp.platform.db import get_session
from webapp.platform.models import Review, SchoolClass
from webapp.records.items import correlation_interval, item_analysis, pearson


def recall(elapsed_days: float, stability: float) -> float:
    """FSRS forgetting curve with fsrs's own default decay, written out independently of the code under test."""
    decay = DEFAULT_PARAMETERS[20]
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** -decay


def rows_at(app: Flask, school: School, exam: dt.date | None) -> dict[str, analytics.StudentRow]:
    with app.app_context():
        session = get_session()
        school_class = session.get(SchoolClass, school.class_id)
        assert school_class is not None
        school_class.exam_date = exam
        session.commit()
        return {r.name: r for r in analytics.student_rows(session, school_class, ["q1", "q2", "q3"], ["q1", "q2"], NOW)}


def test_student_rows(app: Flask, school: School) -> None:
    rows = rows_at(app, school, dt.date(2026, 3, 11))
    assert sorted(rows) == ["Ann", "Bob", "Cat"]  # the outsider is in another class
    ann, bob, cat = rows["Ann"], rows["Bob"], rows["Cat"]
    assert ann.last_active == NOW - dt.timedelta(hours=12)
    assert (ann.reviews_7d, ann.seen, ann.total, ann.mastered, ann.due_now) == (4, 3, 3, 1, 2)
    assert ann.retention_30d == 1.0 and ann.retention_reviews == 1
    assert ann.unsafe_picks == 0 and ann.mastery == pytest.approx(1 / 3)
    assert (bob.reviews_7d, bob.seen, bob.mastered, bob.due_now, bob.unsafe_picks, bob.still_unsafe) == (0, 2, 1, 1, 1, 1)
    assert bob.retention_30d is None
    # Exam at 09:00 UTC on 11 March; recall is over the items met only.
    # Ann: q1 reviewed 10.375 days before (S=30), q2 and q3 10.875 days before (S=5, S=1).
    assert ann.exam_recall == pytest.approx((recall(10.375, 30) + recall(10.875, 5) + recall(10.875, 1)) / 3, abs=1e-6)
    assert ann.safety_seen == 2
    assert ann.safety_recall == pytest.approx((recall(10.375, 30) + recall(10.875, 5)) / 2, abs=1e-6)
    # Bob: both reviewed 19.875 days before (q1 S=2, q2 S=25).
    assert bob.exam_recall == pytest.approx((recall(19.875, 2) + recall(19.875, 25)) / 2, abs=1e-6)
    assert cat.exam_recall is None and cat.last_active is None and cat.coverage == 0.0
    # Pace: 3 items over the 30 days from 9 Feb to the exam -> 0.1 a day -> 2 expected after 20 days.
    assert (ann.expected, bob.expected, cat.expected) == (2, 2, 2)
    # The class studies daily (Ann: 28 Feb and 1 Mar), so quiet means over 4 days (the floor).
    assert [f.kind for f in bob.flags] == ["inactive"] and "no study for 10 days" in bob.flags[0].words
    # Recent pace: Ann met 3 new in the last 14 days, Bob 2 (10 days ago), Cat none. The exam is 9.875 days
    # away, so Cat needs 3 / 9.875 a day and meets none: behind, she will not finish; Bob needs 0.1, meets 1/7.
    assert (ann.new_recent, bob.new_recent, cat.new_recent) == (3, 2, 0)
    assert bob.projection is not None and bob.projection.verdict == pace.VERDICT_ON_TRACK
    assert cat.projection is not None and cat.projection.verdict == pace.VERDICT_WILL_NOT_FINISH
    assert cat.projection.needed_pace == pytest.approx(3 / 9.875)
    assert [f.kind for f in cat.flags] == ["behind", "inactive"] and "since joining" in cat.flags[1].words
    assert cat.flags[0].anchor == "pace" and cat.flags[1].anchor == "activity"
    assert ann.flags == [] and ann.status == pace.STATUS_ON_TRACK
    assert bob.status == cat.status == pace.STATUS_FLAGGED


def test_exam_in_the_class_time_zone(app: Flask, school: School) -> None:
    with app.app_context():
        session = get_session()
        school_class = session.get(SchoolClass, school.class_id)
        assert school_class is not None
        school_class.exam_date, school_class.timezone = dt.date(2026, 3, 11), "Asia/Tokyo"
        assert analytics.exam_moment(school_class) == dt.datetime(2026, 3, 11, 0, 0, tzinfo=dt.timezone.utc)
        school_class.exam_date = None
        assert analytics.exam_moment(school_class) is None


def test_unsafe_picks_named_with_since_safe(app: Flask, school: School) -> None:
    with app.app_context():
        session = get_session()
        users = [school.ann, school.bob, school.cat]
        (pick,) = unsafe_picks(session, users)
        assert (pick.user_id, pick.item_id, pick.option_id, pick.safe_since, pick.still_unsafe) == (
            school.bob, "q1", "bad", None, True)
        later = NOW - dt.timedelta(days=2)
        session.add(Review(user_id=school.bob, item_id="q1", presentation_id="bob-q1-safe", reviewed_at=later,
                           response="x", result="correct", score=1.0, rating=3, response_ms=4000, attempt=2,
                           state_before=2, unsafe_chosen=False))
        restate_rollups(session)
        session.commit()
        (pick,) = unsafe_picks(session, users)
        assert pick.safe_since == later and pick.still_unsafe is False
        assert still_unsafe_items(session, users) == {}


def test_unsafe_choices(app: Flask, school: School) -> None:
    with app.app_context():
        assert analytics.unsafe_choices(get_session(), [school.ann, school.bob, school.cat]) == [(school.bob, 1, 1)]


def test_item_analysis(app: Flask, school: School) -> None:
    with app.app_context():
        stats = item_analysis(get_session(), [school.ann, school.bob, school.cat])
    assert {k: v.attempts for k, v in stats.items()} == {"q1": 3, "q2": 2, "q3": 1}
    assert stats["q1"].facility == 0.5 and stats["q2"].facility == 1.0 and stats["q3"].facility == 0.0
    # q1 first attempts: Ann right with rest score (2-1)/2 = 0.5, Bob wrong with rest 1/1 = 1.0 -> r = -1.
    assert stats["q1"].discrimination == pytest.approx(-1.0)
    assert stats["q2"].discrimination is None  # everyone right: no variance
    assert stats["q3"].discrimination is None  # one learner
    assert stats["q1"].options["right"].count == 1
    assert stats["q1"].options["right"].mean_score_of_choosers == pytest.approx(2 / 3)
    assert stats["q1"].options["bad"].mean_score_of_choosers == pytest.approx(1 / 2)
    assert stats["q1"].mean_stability == pytest.approx(16.0)  # (30 + 2) / 2


def test_pearson_matches_the_standard_library() -> None:
    xs, ys = [1, 0, 1, 1, 0], [0.8, 0.2, 0.5, 0.9, 0.4]
    sums = (len(xs), sum(xs), sum(ys), sum(x * y for x, y in zip(xs, ys)), sum(x * x for x in xs), sum(y * y for y in ys))
    assert pearson(*sums) == pytest.approx(statistics.correlation(xs, ys))
    assert pearson(1, 1, 1, 1, 1, 1) is None


def test_discrimination_needs_enough_students() -> None:
    low, high = correlation_interval(0.5, 30)
    assert low < 0.5 < high and low == pytest.approx(0.170, abs=0.01) and high == pytest.approx(0.729, abs=0.01)
