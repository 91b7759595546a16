"""Every class aggregate against values worked out by hand on the fixture in conftest.py."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from flask import Flask

from tests.webapp.instructor.helpers import NOW, School
from webapp.db import get_session
from webapp.instructor import analytics
from webapp.instructor.items import item_analysis, pearson


def recall(elapsed_days: float, stability: float) -> float:
    """FSRS-6 forgetting curve, written out independently of the code under test."""
    decay = 0.1542
    factor = 0.9 ** (-1 / decay) - 1
    return (1 + factor * elapsed_days / stability) ** -decay


def test_student_rows(app: Flask, school: School) -> None:
    with app.app_context():
        rows = {r.name: r for r in analytics.student_rows(get_session(), school.class_id, ["q1", "q2", "q3"],
                                                           ["q1", "q2"], NOW, dt.date(2026, 3, 11))}
    assert sorted(rows) == ["Ann", "Bob", "Cat"]  # the outsider is in another class
    ann, bob, cat = rows["Ann"], rows["Bob"], rows["Cat"]
    assert ann.last_active == NOW - dt.timedelta(hours=12)
    assert (ann.reviews_7d, ann.seen, ann.total, ann.mastered, ann.due_now) == (4, 3, 3, 1, 2)
    assert ann.retention_30d == 1.0 and ann.retention_reviews == 1
    assert ann.unsafe_picks == 0 and ann.mastery == pytest.approx(1 / 3)
    assert (bob.reviews_7d, bob.seen, bob.mastered, bob.due_now, bob.unsafe_picks) == (0, 2, 1, 1, 1)
    assert bob.retention_30d is None
    # Exam at 09:00 UTC on 11 March: Ann's q1 was reviewed 10.375 days before (S=30), q2 10.875 (S=5).
    assert ann.exam_recall == pytest.approx((recall(10.375, 30) + recall(10.875, 5)) / 2, abs=1e-6)
    # Bob: both reviewed 19.875 days before (q1 S=2, q2 S=25).
    assert bob.exam_recall == pytest.approx((recall(19.875, 2) + recall(19.875, 25)) / 2, abs=1e-6)
    assert cat.exam_recall == 0.0 and cat.last_active is None
    assert cat.at_risk == ["has not studied yet", "predicted exam-day recall 0%"]
    assert bob.at_risk[0] == "inactive for 10 days"
    assert ann.at_risk == []


def test_site_groups(app: Flask, school: School) -> None:
    with app.app_context():
        groups = analytics.group_mastery(get_session(), [school.ann, school.bob], {"site-a": ["q1"], "site-b": ["q2", "q3"]})
    # site-a: Ann mastered q1, Bob did not -> 1 of 2; site-b: only Bob's q2 of 4 pairs.
    assert groups == {"site-a": 0.5, "site-b": 0.25}



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
