"""The review ledger: which items a reviewer has passed, and which changed since.

A review (`kind: reviews`, `course/content/reviews.yaml`) records an item's
`digest` as it read when reviewed. The digest covers everything a learner is
shown (type, stem, options or answers with their keys and reasons, the
explanation), so rewording any of it makes the review *stale*: `check` fails on
a stale item until it is reviewed again, and on an item whose latest verdict is
`fail` until it is rewritten and reviewed again. A review of an item that has
since retired stays in the ledger as history. Ids, tags and sources are not shown as
text, so they do not count. An item never reviewed is *unreviewed*: counted, not
an error, until the whole bank has been through review once.

Pure: the date of a new verdict comes from the caller (the CLI).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable

from course.models import Review
from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)

DIGEST_LENGTH = 16


def shown(question: Question) -> dict[str, Any]:
    """What an item shows a learner, as plain data (the digest's input)."""
    data: dict[str, Any] = {"type": question.type, "stem": question.stem, "explanation": question.explanation}
    if isinstance(question, ChoiceQuestion):
        # Sorted by id: the shown order is a seeded shuffle, not content.
        data["options"] = sorted([o.id, o.text, o.correct, o.why, o.unsafe] for o in question.options)
    if isinstance(question, TrueFalseQuestion):
        data["answer"], data["reason"] = question.answer, question.reason
    if isinstance(question, ClozeQuestion):
        data["text"], data["blanks"] = question.text, [list(b) for b in question.blanks]
    if isinstance(question, MatchingQuestion):
        data["pairs"] = sorted([p.id, p.left, p.right] for p in question.pairs)
    if isinstance(question, HotspotQuestion):
        data["region"] = question.region
    return data


def digest(question: Question) -> str:
    """A stable hex digest of what the item shows (`DIGEST_LENGTH` characters)."""
    text = json.dumps(shown(question), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def latest(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each item's latest review (by date, then ledger order)."""
    found: dict[str, Review] = {}
    for entry in reviews:
        if entry.item not in found or entry.date >= found[entry.item].date:
            found[entry.item] = entry
    return found


Status = str  # "reviewed" | "failed" | "unreviewed" | "stale"


def status(question: Question, review: Review | None) -> Status:
    """Whether an item's latest review still applies to what it shows, and what it said.

    "failed": the reviewer failed the item as it still reads (it must be rewritten,
    then reviewed again); "reviewed": passed (or rewritten and passed) as it reads.
    """
    if review is None:
        return "unreviewed"
    if review.digest != digest(question):
        return "stale"
    return "failed" if review.verdict == "fail" else "reviewed"


@dataclass
class LedgerFigures:
    """Reviewed, failed, unreviewed and stale counts of a group of items."""

    reviewed: int = 0
    failed: int = 0
    unreviewed: int = 0
    stale: int = 0

    def add(self, state: Status) -> None:
        """Count one item's status."""
        setattr(self, state, getattr(self, state) + 1)

    def line(self) -> str:
        """The counts on one line."""
        return f"reviewed {self.reviewed}, failed {self.failed}, unreviewed {self.unreviewed}, stale {self.stale}"


def entry(question: Question, verdict: str, on: dt.date, note: str | None = None) -> dict[str, Any]:
    """A new ledger entry for `question` as it reads now (what `review record` appends)."""
    made: dict[str, Any] = {"item": question.id, "digest": digest(question), "date": on, "verdict": verdict}
    if note:
        made["note"] = note
    Review.model_validate(made)  # the ledger's own schema, so a bad verdict never reaches the file
    return made
