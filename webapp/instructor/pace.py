"""On track or not: each student judged against the pace the class needs, with reasons in words.

The pace (`class_pace`): a class must meet its `total` items between a
student's start (the later of joining and the class's creation) and the exam.
So the pace is total / days-to-exam new items a day, never more than the
class's new-item limit (the app would not show more); with no exam date the
new-item limit itself is the pace. A student is expected to have met
pace x days-since-start items by now (at most every item).

A student is flagged only when the evidence is clear, and each flag says why:
- behind: met at most half the items the pace needs by now, and at least
  `BEHIND_MIN_ITEMS` short (a day's gap is not "behind");
- inactive: no study for `RHYTHM_FACTOR` times the class's usual gap between
  study days, and never for fewer than `INACTIVE_MIN_DAYS` days;
- retaining poorly: under `POOR_RETENTION` of reviews of learned items passed
  in 30 days, judged only on at least `RETENTION_MIN_REVIEWS` such reviews.
A student who started under `JUST_STARTED_DAYS` days ago is "just started":
too new to judge, never flagged.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Iterable, Sequence

JUST_STARTED_DAYS = 3
BEHIND_SHARE = 0.5
BEHIND_MIN_ITEMS = 10
INACTIVE_MIN_DAYS = 4
RHYTHM_FACTOR = 3.0
POOR_RETENTION = 0.70
RETENTION_MIN_REVIEWS = 20

STATUS_JUST_STARTED = "just started"
STATUS_ON_TRACK = "on track"
STATUS_FLAGGED = "needs attention"


@dataclass(frozen=True)
class Flag:
    """One reason to look at a student: the words, and the evidence's anchor on the student's page."""

    kind: str  # behind | inactive | retention
    words: str
    anchor: str


def class_pace(total: int, new_limit: int, start: dt.date, exam: dt.date | None) -> float:
    """New items a day the class needs: total over the days to the exam, at most the new-item limit."""
    if exam is None or exam <= start:
        return float(new_limit)
    return min(float(new_limit), total / (exam - start).days)


def expected_met(pace: float, total: int, started: dt.datetime, now: dt.datetime) -> int:
    """Items a student keeping to `pace` would have met by `now` (whole days since `started`)."""
    days = max(0.0, (now - started).total_seconds() / 86400.0)
    return min(total, int(pace * days))


def usual_gap(study_days: Iterable[Sequence[dt.date]]) -> float:
    """The class's rhythm: the median, over students with two study days or more, of their mean gap in days."""
    gaps = []
    for days in study_days:
        ordered = sorted(set(days))
        if len(ordered) >= 2:
            gaps.append((ordered[-1] - ordered[0]).days / (len(ordered) - 1))
    return statistics.median(gaps) if gaps else 1.0


def inactive_after(rhythm: float) -> float:
    """Days without study after which a student counts as inactive, for a class with this rhythm."""
    return max(float(INACTIVE_MIN_DAYS), RHYTHM_FACTOR * rhythm)


def judge(
    *,
    started: dt.datetime,
    now: dt.datetime,
    met: int,
    expected: int,
    last_active: dt.datetime | None,
    rhythm: float,
    retention: float | None,
    retention_reviews: int,
) -> tuple[str, list[Flag]]:
    """A student's status and flags (rules in the module docstring)."""
    if now - started < dt.timedelta(days=JUST_STARTED_DAYS):
        return STATUS_JUST_STARTED, []
    flags = []
    if met <= BEHIND_SHARE * expected and expected - met >= BEHIND_MIN_ITEMS:
        flags.append(Flag("behind", f"behind pace: met {met} of the {expected} items the pace needs by now", "pace"))
    limit = inactive_after(rhythm)
    quiet_since = last_active or started
    quiet_days = (now - quiet_since).total_seconds() / 86400.0
    if quiet_days > limit:
        what = f"no study for {int(quiet_days)} days" if last_active else f"has not studied in the {int(quiet_days)} days since joining"
        flags.append(Flag("inactive", f"{what} (the class usually studies every {rhythm:.1f} days)", "activity"))
    if retention is not None and retention_reviews >= RETENTION_MIN_REVIEWS and retention < POOR_RETENTION:
        flags.append(Flag("retention", f"remembers {retention:.0%} of learned items over {retention_reviews} reviews "
                                       f"(under {POOR_RETENTION:.0%})", "retention"))
    return (STATUS_FLAGGED if flags else STATUS_ON_TRACK), flags
