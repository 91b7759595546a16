"""Guards on imported answers: what no learner's real Anki history holds is refused, and counted.

An upload is self-reported: anyone can edit a collection's revlog. The class
figures (items met, retention, last active) must not move on answers no person
gave, so before anything is stored an answer is refused when it is
- `future`: dated after the import (beyond a small clock skew);
- `before_note`: dated before its note existed (Anki's note id is the time the
  note was created, and a note is answered only after it is added);
- `overlap`: its time on the card began before the previous answer ended (Anki
  starts a card's timer when it shows it, after the previous answer);
- `too_fast`: it would make more answers in one minute than a person gives;
- `other_account`: the same Anki answer (revlog id, item) is already in
  another account's history: one export uploaded by two accounts.
The refusals go on the import's row; the learner's page and their instructors'
pages say how many and why.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, deque
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.ankisync.package import AnkiReview
from webapp.platform.models import Review

# Anki's clock is the learner's device; revlog ids are rounded to the millisecond, times taken are not.
OVERLAP_TOLERANCE = dt.timedelta(seconds=1)
MINUTE = dt.timedelta(minutes=1)
LOOKUP_CHUNK = 500
REFUSED_LABELS = {
    "future": "dated in the future",
    "before_note": "dated before the card was in the collection",
    "overlap": "timed over another answer",
    "too_fast": "more answers in a minute than anyone gives",
    "other_account": "already imported for another account",
}


def refuse(session: Session, user_id: int, answers: Sequence[AnkiReview], now: dt.datetime, *,
           skew: dt.timedelta, per_minute: int) -> tuple[list[AnkiReview], Counter[str]]:
    """The answers that pass every guard, in time order, and the count refused for each reason."""
    refused: Counter[str] = Counter()
    dated: list[AnkiReview] = []
    for answer in answers:
        if answer.reviewed_at > now + skew:
            refused["future"] += 1
        elif answer.note_created is not None and answer.reviewed_at < answer.note_created:
            refused["before_note"] += 1
        else:
            dated.append(answer)
    timed = _plausible(sorted(dated, key=lambda a: (a.reviewed_at, a.revlog_id)), per_minute, refused)
    foreign = _other_accounts(session, user_id, timed)
    kept = [answer for answer in timed if (answer.revlog_id, answer.item_id) not in foreign]
    refused["other_account"] += len(timed) - len(kept)
    return kept, +refused


def _plausible(ordered: Iterable[AnkiReview], per_minute: int, refused: Counter[str]) -> list[AnkiReview]:
    """Drop answers that overlap the previous kept one, or exceed `per_minute` in a minute."""
    kept: list[AnkiReview] = []
    recent: deque[dt.datetime] = deque()
    ended: dt.datetime | None = None
    for answer in ordered:
        started = answer.reviewed_at - dt.timedelta(milliseconds=answer.duration_ms)
        if ended is not None and started < ended - OVERLAP_TOLERANCE:
            refused["overlap"] += 1
            continue
        while recent and recent[0] <= answer.reviewed_at - MINUTE:
            recent.popleft()
        if len(recent) >= per_minute:
            refused["too_fast"] += 1
            continue
        recent.append(answer.reviewed_at)
        ended = answer.reviewed_at
        kept.append(answer)
    return kept


def _other_accounts(session: Session, user_id: int, answers: Sequence[AnkiReview]) -> set[tuple[int, str]]:
    """The (revlog id, item) pairs of `answers` already stored for another account."""
    found: set[tuple[int, str]] = set()
    for start in range(0, len(answers), LOOKUP_CHUNK):
        chunk = answers[start:start + LOOKUP_CHUNK]
        wanted = {(a.revlog_id, a.item_id) for a in chunk}
        rows = session.execute(select(Review.anki_revlog_id, Review.item_id).where(
            Review.anki_revlog_id.in_([a.revlog_id for a in chunk]), Review.user_id != user_id))
        found.update(pair for pair in ((int(r or 0), str(i)) for r, i in rows) if pair in wanted)
    return found
