"""On track or not: each student judged against the pace the class needs, with reasons in words.

The pace (`class_pace`): a class must meet its `total` items between a
student's start (the later of joining and the class's creation) and the exam.
So the pace is total / days-to-exam new items a day, never more than the
class's new-item limit (the app would not show more); with no exam date the
new-item limit itself is the pace. A student is expected to have met
pace x days-since-start items by now (at most every item).

The exam-day projection (`project`) is the one rule for "will they be
ready": at the student's recent pace (new items met over the last
`RECENT_DAYS` days, or since starting when that is shorter), how many of the
class's items will they have met by the exam? The pace needed is the items
left over the days left. The verdict:
- on track: the recent pace is at least the pace needed (every item met by
  the exam), and the projected exam-day recall, when known, reaches the
  class's target;
- at risk: short, but the recent pace is at least `AT_RISK_SHARE` of the
  pace needed and the pace needed is within the class's new-item limit; or
  on pace with the projected recall (`projected_recall`) under the class's
  desired retention;
- will not finish: slower than that, or the pace needed is more new items a
  day than the class's limit lets the app show.
The class's projection adds up its students' (`combine`), each student's
pace counted only up to the pace they need.

A student is flagged only when the evidence is clear, and each flag says why:
- behind: with an exam date ahead, the projection's verdict is not "on
  track" (the same rule the forecast page shows); with none, met at most half
  the items the class pace needs by now, and at least `BEHIND_MIN_ITEMS`
  short (a day's gap is not "behind");
- inactive: no study for `RHYTHM_FACTOR` times the class's usual gap between
  study days, and never for fewer than `INACTIVE_MIN_DAYS` days;
- retaining poorly: under `POOR_RETENTION` of reviews of learned items passed
  in 30 days, judged only on at least `RETENTION_MIN_REVIEWS` such reviews.
A student who started under `JUST_STARTED_DAYS` days ago is "just started":
too new to judge, never flagged.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

JUST_STARTED_DAYS = 3
BEHIND_SHARE = 0.5
BEHIND_MIN_ITEMS = 10
INACTIVE_MIN_DAYS = 4
RHYTHM_FACTOR = 3.0
POOR_RETENTION = 0.70
RETENTION_MIN_REVIEWS = 20
RECENT_DAYS = 14
AT_RISK_SHARE = 0.75

VERDICT_ON_TRACK = "on track"
VERDICT_AT_RISK = "at risk"
VERDICT_WILL_NOT_FINISH = "will not finish"

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


@dataclass(frozen=True)
class Projection:
    """Where a student (or a class, summed) will be on exam day at the recent pace, and the verdict."""

    met: int  # items met now
    total: int
    recent_pace: float  # new items a day over the recent window
    needed_pace: float  # new items a day from now that meet every item by the exam
    days_left: float
    projected_met: int  # items met by the exam at the recent pace
    limit: float  # the most new items a day the app shows (summed over a class's students)
    verdict: str
    recall: float | None = None  # projected exam-day recall of the items met, when replayed
    recall_target: float | None = None

    @property
    def coverage(self) -> float:
        """Projected share of the items met by the exam."""
        return self.projected_met / self.total if self.total else 1.0

    @property
    def words(self) -> str:
        """The verdict with its reason, in a sentence."""
        return f"{self.verdict}: {self.reason}"

    @property
    def reason(self) -> str:
        """Why the verdict: the paces, and what they reach by the exam."""
        pace_words = (f"{self.recent_pace:.1f} new questions a day lately; {self.needed_pace:.1f} a day needed "
                      f"to meet all {self.total} by the exam")
        if self.verdict == VERDICT_ON_TRACK:
            return pace_words
        if recall_short(self.recall, self.recall_target) and self.projected_met >= self.total:
            return f"projected recall {self.recall:.0%} is under the {self.recall_target:.0%} target ({pace_words})"
        if self.needed_pace > self.limit:
            return (f"needs {self.needed_pace:.1f} new questions a day, more than the class's limit of "
                    f"{self.limit:g}; at {self.recent_pace:.1f} a day, {self.projected_met} of {self.total} met "
                    f"by the exam")
        return (f"at {self.recent_pace:.1f} new questions a day, {self.projected_met} of {self.total} met by the "
                f"exam; {self.needed_pace:.1f} a day needed")


def recall_short(recall: float | None, target: float | None) -> bool:
    """True when the recall is under the target in whole percent, as the pages show both."""
    return recall is not None and target is not None and round(recall * 100) < round(target * 100)


def recent_pace(new_recent: int, started: dt.datetime, now: dt.datetime) -> float:
    """New items a day over the last `RECENT_DAYS` days, or since `started` when that is shorter (at least a day)."""
    window = min(float(RECENT_DAYS), max(1.0, (now - started).total_seconds() / 86400.0))
    return new_recent / window


def verdict_of(recent: float, needed: float, limit: float, recall: float | None = None,
               recall_target: float | None = None) -> str:
    """The verdict for a recent and a needed pace (new items a day) and the new-item limit (rules above)."""
    if recent >= needed:
        if recall_short(recall, recall_target):
            return VERDICT_AT_RISK
        return VERDICT_ON_TRACK
    if needed > limit or recent < AT_RISK_SHARE * needed:
        return VERDICT_WILL_NOT_FINISH
    return VERDICT_AT_RISK


def project(*, met: int, total: int, new_recent: int, started: dt.datetime, now: dt.datetime,
            exam: dt.datetime | None, new_limit: float) -> Projection | None:
    """The exam-day projection at the recent pace (None without an exam ahead)."""
    if exam is None or exam <= now:
        return None
    days_left = (exam - now).total_seconds() / 86400.0
    recent = recent_pace(new_recent, started, now)
    needed = max(0, total - met) / days_left
    projected_met = min(total, met + math.floor(recent * days_left + 1e-9))
    return Projection(met, total, recent, needed, days_left, projected_met, float(new_limit),
                      verdict_of(recent, needed, float(new_limit)))


def projected_recall(met: Sequence[tuple[float, bool, float]], new: int, new_target: float,
                     observed: float | None) -> float | None:
    """Mean exam-day recall of the items met by the exam at the recent pace (None when none).

    `met`: per item met now, (recall on exam day with no more study, falls due before the exam, its
    target retention). An item the exam comes first for keeps its curve's recall; one that falls due
    is reviewed, and so is each of the `new` items met from now: those are held at what the student
    passes lately (`observed`, their share of due reviews passed, when there are enough of them) or,
    without that evidence, at the item's target.
    """
    values = []
    for recall, due, target in met:
        if not due:
            values.append(recall)
        else:
            values.append(target if observed is None else observed)
    values += [new_target if observed is None else observed] * max(0, new)
    return sum(values) / len(values) if values else None


def with_recall(projection: Projection, recall: float | None, target: float) -> Projection:
    """The projection with its replayed exam-day recall, the verdict judged on both."""
    return replace(projection, recall=recall, recall_target=target,
                   verdict=verdict_of(projection.recent_pace, projection.needed_pace, projection.limit, recall, target))


def combine(projections: Sequence[Projection]) -> Projection | None:
    """A class's projection: its students' items, paces and limits summed, judged by the same rule.

    Each student's recent pace counts only up to the pace they need: one student's spare pace
    meets none of another's questions, so the class is on track only when every student is on pace.
    """
    if not projections:
        return None
    met = sum(p.met for p in projections)
    recalls = [(p.recall, p.projected_met) for p in projections if p.recall is not None]
    weight = sum(n for _, n in recalls)
    recall = sum(r * n for r, n in recalls) / weight if weight else None
    targets = {p.recall_target for p in projections}
    target = targets.pop() if len(targets) == 1 else None
    recent = sum(min(p.recent_pace, p.needed_pace) for p in projections)
    needed = sum(p.needed_pace for p in projections)
    limit = sum(p.limit for p in projections)
    return Projection(met, sum(p.total for p in projections), recent, needed, projections[0].days_left,
                      sum(p.projected_met for p in projections), limit,
                      verdict_of(recent, needed, limit, recall, target), recall, target)


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
    projection: Projection | None = None,
) -> tuple[str, list[Flag]]:
    """A student's status and flags (rules in the module docstring)."""
    if now - started < dt.timedelta(days=JUST_STARTED_DAYS):
        return STATUS_JUST_STARTED, []
    flags = []
    if projection is not None:
        if projection.verdict != VERDICT_ON_TRACK:
            flags.append(Flag("behind", f"behind pace, {projection.words}", "pace"))
    elif met <= BEHIND_SHARE * expected and expected - met >= BEHIND_MIN_ITEMS:
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
