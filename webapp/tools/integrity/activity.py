"""Check the activity rollups (`review_activity`) against the counts recomputed from the reviews.

Each learner's stored rows are compared with `webapp.records.activity.recount`, which
counts their reviews again in Python with the same rule the writers use; every
bucket that differs, is missing or should not be there is one `Difference`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, union
from sqlalchemy.orm import Session

from webapp.platform.models import Review, ReviewActivity
from webapp.records.activity import Counts, recount


@dataclass(frozen=True)
class Difference:
    """One learner's quarter-hour whose stored counts are not what the reviews give (None: no row)."""

    user_id: int
    bucket: dt.datetime
    stored: Counts | None
    recomputed: Counts | None

    def __str__(self) -> str:
        def show(counts: Counts | None) -> str:
            return "none" if counts is None else " ".join(f"{name}={value}" for name, value in counts._asdict().items())

        return f"{self.user_id}:activity@{self.bucket.isoformat()}: stored {show(self.stored)} recomputed {show(self.recomputed)}"


@dataclass
class ActivityReport:
    """What the check looked at, and what it found."""

    users: int = 0
    rows: int = 0
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every stored row is what the reviews give."""
        return not self.differences


def verify_activity(engine: Engine) -> Iterator[Difference | ActivityReport]:
    """Check every learner's activity rows; yields each difference as found, then the `ActivityReport`."""
    report = ActivityReport()
    with Session(engine) as session:
        users = sorted(session.scalars(union(select(Review.user_id), select(ReviewActivity.user_id))))
    for user_id in users:
        report.users += 1
        with Session(engine) as session:
            stored, recomputed = recount(session, user_id)
        report.rows += len(stored)
        for bucket in sorted(set(stored) | set(recomputed)):
            mine, theirs = stored.get(bucket), recomputed.get(bucket)
            if mine != theirs:
                difference = Difference(user_id, bucket, mine, theirs)
                report.differences.append(difference)
                yield difference
    yield report
