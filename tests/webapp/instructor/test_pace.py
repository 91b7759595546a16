"""The on-track rules (`webapp.instructor.pace`), one threshold at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from webapp.instructor import pace

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)


def judge(**changes: object) -> tuple[str, list[pace.Flag]]:
    values: dict[str, object] = dict(started=NOW - 20 * DAY, now=NOW, met=60, expected=60, last_active=NOW - DAY,
                                     rhythm=1.0, retention=0.9, retention_reviews=50)
    values.update(changes)
    return pace.judge(**values)  # type: ignore[arg-type]


def test_class_pace_is_what_the_exam_needs_capped_by_the_new_limit() -> None:
    start = dt.date(2026, 2, 1)
    assert pace.class_pace(300, 20, start, dt.date(2026, 3, 3)) == 10.0  # 300 items in 30 days
    assert pace.class_pace(300, 5, start, dt.date(2026, 3, 3)) == 5.0  # the app shows no more than 5 a day
    assert pace.class_pace(300, 15, start, None) == 15.0  # no exam: the new-item limit is the pace
    assert pace.expected_met(10.0, 300, NOW - 3.5 * DAY, NOW) == 35
    assert pace.expected_met(10.0, 30, NOW - 9 * DAY, NOW) == 30  # never more than every item


def test_rhythm_is_the_median_mean_gap() -> None:
    d = dt.date(2026, 2, 1)
    daily = [d + i * DAY for i in range(10)]
    every_third = [d + 3 * i * DAY for i in range(4)]
    assert pace.usual_gap([daily, every_third, daily, [d]]) == 1.0  # the one-day student is left out
    assert pace.usual_gap([every_third]) == 3.0
    assert pace.inactive_after(1.0) == pace.INACTIVE_MIN_DAYS
    assert pace.inactive_after(3.0) == 9.0


def test_on_track_and_just_started() -> None:
    assert judge() == (pace.STATUS_ON_TRACK, [])
    # Joined yesterday, met nothing: too new to judge, whatever the figures say.
    assert judge(started=NOW - DAY, met=0, expected=10, last_active=None) == (pace.STATUS_JUST_STARTED, [])


def test_behind_only_when_clearly_behind() -> None:
    assert judge(met=31, expected=60)[1] == []  # more than half
    assert judge(met=30, expected=60)[1][0].kind == "behind"
    assert judge(met=0, expected=9)[1] == []  # fewer than BEHIND_MIN_ITEMS short
    status, flags = judge(met=5, expected=20)
    assert status == pace.STATUS_FLAGGED and flags[0].words == "behind pace: met 5 of the 20 items the pace needs by now"
    assert flags[0].anchor == "pace"


def test_inactive_beyond_the_class_rhythm() -> None:
    assert judge(last_active=NOW - 4 * DAY)[1] == []  # the floor: 4 days
    assert judge(last_active=NOW - 5 * DAY)[1][0].kind == "inactive"
    assert judge(last_active=NOW - 8 * DAY, rhythm=3.0)[1] == []  # a class that meets every 3 days: 9 days
    assert judge(last_active=None)[1][0].words.startswith("has not studied in the 20 days since joining")


def test_poor_retention_needs_enough_reviews() -> None:
    assert judge(retention=0.5, retention_reviews=pace.RETENTION_MIN_REVIEWS - 1)[1] == []
    flags = judge(retention=0.5, retention_reviews=pace.RETENTION_MIN_REVIEWS)[1]
    assert [f.kind for f in flags] == ["retention"] and "50%" in flags[0].words
    assert judge(retention=0.7, retention_reviews=100)[1] == []  # at the threshold is not under it


def project(**changes: object) -> pace.Projection | None:
    values: dict[str, object] = dict(met=50, total=170, new_recent=28, started=NOW - 30 * DAY, now=NOW,
                                     exam=NOW + 40 * DAY, new_limit=15)
    values.update(changes)
    return pace.project(**values)  # type: ignore[arg-type]


def test_projection_at_the_recent_pace() -> None:
    projection = project()
    assert projection is not None
    # 28 new in 14 days: 2 a day; 120 left over 40 days: 3 a day needed; 50 + 2 x 40 = 130 by the exam.
    assert (projection.recent_pace, projection.needed_pace, projection.projected_met) == (2.0, 3.0, 130)
    assert projection.coverage == 130 / 170
    assert projection.verdict == pace.VERDICT_WILL_NOT_FINISH  # 2 is under 3/4 of 3
    assert "130 of 170" in projection.words and "3.0 a day needed" in projection.words
    # A student who joined 7 days ago is judged over those 7 days, not 14.
    assert project(started=NOW - 7 * DAY, new_recent=21).recent_pace == 3.0  # type: ignore[union-attr]
    assert project(new_recent=42).verdict == pace.VERDICT_ON_TRACK  # type: ignore[union-attr]
    assert project(new_recent=35).verdict == pace.VERDICT_AT_RISK  # type: ignore[union-attr]  # 2.5 of 3
    assert project(exam=None) is None and project(exam=NOW - DAY) is None


def test_verdict_thresholds_and_limit() -> None:
    assert pace.verdict_of(3.0, 3.0, 15) == pace.VERDICT_ON_TRACK
    assert pace.verdict_of(2.25, 3.0, 15) == pace.VERDICT_AT_RISK  # exactly 3/4
    assert pace.verdict_of(2.24, 3.0, 15) == pace.VERDICT_WILL_NOT_FINISH
    assert pace.verdict_of(9.0, 10.0, 5) == pace.VERDICT_WILL_NOT_FINISH  # the app shows at most 5 new a day
    assert pace.verdict_of(4.0, 3.0, 15, recall=0.85, recall_target=0.9) == pace.VERDICT_AT_RISK
    assert pace.verdict_of(4.0, 3.0, 15, recall=0.92, recall_target=0.9) == pace.VERDICT_ON_TRACK


def test_behind_is_the_projection_verdict() -> None:
    slow = project()
    assert judge(projection=slow)[1][0].kind == "behind"
    assert "will not finish" in judge(projection=slow)[1][0].words
    assert judge(projection=project(new_recent=42))[1] == []
    # With a projection the old needs-by-now share no longer decides: one rule.
    assert judge(met=5, expected=20, projection=project(new_recent=42))[1] == []


def test_class_counts_each_students_pace_up_to_their_need() -> None:
    fast = project(met=160, new_recent=70)  # 5 a day, needs 0.25
    slow = project()  # 2 a day, needs 3
    assert fast is not None and slow is not None
    both = pace.combine([fast, slow])
    assert both is not None
    assert both.projected_met == fast.projected_met + slow.projected_met and both.total == 340
    # Summed raw paces (7) would beat the summed need (3.25); counted up to each need they are 2.25.
    assert both.recent_pace == 0.25 + 2.0 and both.verdict == pace.VERDICT_WILL_NOT_FINISH
    with_recall = pace.with_recall(fast, 0.95, 0.9)
    assert (with_recall.recall, with_recall.verdict) == (0.95, pace.VERDICT_ON_TRACK)
    assert pace.combine([]) is None


def test_projected_recall_holds_reviewed_items_at_the_students_own_pass_rate() -> None:
    # Two items the exam comes first for keep their curve's recall; one falls due and is reviewed;
    # two more are met from now on.
    met = [(0.97, False, 0.9), (0.93, False, 0.9), (0.40, True, 0.95)]
    assert pace.projected_recall(met, 2, 0.9, None) == pytest.approx((0.97 + 0.93 + 0.95 + 0.9 + 0.9) / 5)
    assert pace.projected_recall(met, 2, 0.9, 0.7) == pytest.approx((0.97 + 0.93 + 0.7 * 3) / 5)
    assert pace.projected_recall([], 0, 0.9, None) is None
    # Shown in whole percent, judged in whole percent: 89.6 % reads 90 % and is not under a 90 % target.
    assert not pace.recall_short(0.896, 0.9) and pace.recall_short(0.894, 0.9)
