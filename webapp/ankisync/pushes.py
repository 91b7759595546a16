"""Answers the Anki add-on sends: checked, then imported by the same path as an uploaded file.

The add-on reads its own collection's revlog, so the rows arrive as JSON rather
than in a package; `parse_reviews` checks each row's shape and turns our notes'
answers (and resets) into `AnkiReview`s exactly as the upload's sandbox does (the
same answer kinds and buttons count, with the card, ease factor and note time the
counting rules and guards read). An answer dated after the server's clock (beyond
a small skew) is refused and reported back by id, never imported. The rest go
through `history.plan_import` (the guards) and `history.add_anki_reviews`, batch by batch,
within the learner's daily allowance, and each push is recorded as an
`AnkiImport` row, so the progress page and the daily allowance count it like an upload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from quizzes.bank import Bank
from webapp.ankisync.history import Bounds, Retention, add_anki_reviews, plan_import
from webapp.ankisync.package import AnkiReview, moment
from webapp.ankisync.sandbox import ANSWER_KINDS, MANUAL_KIND
from webapp.platform.errors import WebappError
from webapp.platform.models import AnkiImport

FILENAME = "Anki add-on sync"
# Anki's revlog ids are milliseconds since 1970; anything outside these is not an answer time.
_FIRST_ID, _LAST_ID = 1_000_000_000_000, 2**53


class PushError(WebappError):
    """The push cannot be read at all (the message is for the add-on to show)."""


@dataclass(frozen=True)
class Refused:
    """One answer not imported, and why."""

    revlog_id: int
    reason: str


@dataclass
class Parsed:
    """A push's rows sorted: our answers, refused ones, and rows that are not ours or not answers."""

    answers: list[AnkiReview] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    ignored: int = 0


@dataclass(frozen=True)
class PushResult:
    """What a push did, as the add-on reports it."""

    added: int
    known: int
    held_back: int
    ignored: int
    refused: list[Refused]
    refused_by_guards: dict[str, int]  # reason -> count, from `history.plan_import`
    resend_from: int | None  # the oldest answer held back for tomorrow's allowance: send it and later ones again


def _int(row: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = row.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise PushError(f"Each review needs a whole number '{key}'.")
    return value


def parse_reviews(rows: object, guids: Mapping[str, str], now: dt.datetime, skew_seconds: float,
                  most: int) -> Parsed:
    """Our notes' answers among `rows` (`guids`: note GUID -> item id), future-dated ones refused.

    Raises:
        PushError: `rows` is not a list of review objects with whole-number fields, or holds more than `most`.
    """
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise PushError("Send {\"reviews\": [...]}, a list of review objects.")
    if len(rows) > most:
        raise PushError(f"Send at most {most:,} reviews at a time.")
    latest = int((now.timestamp() + skew_seconds) * 1000)
    parsed = Parsed()
    for row in rows:
        revlog_id, ease, kind = _int(row, "id"), _int(row, "ease"), _int(row, "type")
        interval, taken, guid = _int(row, "ivl"), _int(row, "time"), row.get("guid")
        factor, ordinal, note_id = _int(row, "factor", 0), _int(row, "ord", 0), _int(row, "nid", 0)
        if not isinstance(guid, str) or not _FIRST_ID <= revlog_id < _LAST_ID:
            raise PushError("Each review needs a note 'guid' and an Anki revlog 'id' (milliseconds).")
        answer = kind in ANSWER_KINDS and ease in (1, 2, 3, 4)
        reset = kind == MANUAL_KIND and ease == 0 and factor == 0
        if guid not in guids or not (answer or reset):
            parsed.ignored += 1
            continue
        if revlog_id > latest:
            parsed.refused.append(Refused(revlog_id, "dated in the future"))
            continue
        parsed.answers.append(AnkiReview(
            revlog_id=revlog_id, item_id=guids[guid],
            reviewed_at=dt.datetime.fromtimestamp(revlog_id / 1000, dt.timezone.utc),
            button=ease, interval=interval, duration_ms=max(0, taken), kind=kind, factor=factor, card_ord=ordinal,
            note_created=moment(note_id) if note_id else None,
        ))
    return parsed


def import_push(factory: sessionmaker[Session], user_id: int, parsed: Parsed, bank: Bank, retention: Retention,
                allowance: int, batch_rows: int, now: dt.datetime, bounds: Bounds) -> PushResult:
    """Import the parsed answers through the upload's path and record the push; commits batch by batch."""
    with factory() as session:
        plan = plan_import(session, user_id, parsed.answers, bank, allowance, batch_rows, now=now, bounds=bounds)
        job = AnkiImport(user_id=user_id, filename=FILENAME, status="running", stage="Adding answers", percent=0,
                         message="", created_at=now, updated_at=now)
        session.add(job)
        session.commit()
        job_id = job.id
    added = items = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    for batch in plan.batches:
        with factory() as session:
            done = add_anki_reviews(session, user_id, batch, bank, retention)
            added, items = added + done.reviews_added, items + done.items
            first = min(filter(None, (first, done.first_review)), default=None)
            last = max(filter(None, (last, done.last_review)), default=None)
            row = session.get(AnkiImport, job_id)
            assert row is not None
            row.reviews_added, row.items, row.first_review, row.last_review = added, items, first, last
            session.commit()
    # The allowance keeps the oldest new answers, so the held-back ones are all newer than every kept one.
    kept = {answer.revlog_id for batch in plan.batches for answer in batch}
    newest_kept = max(kept, default=0)
    held = [answer.revlog_id for answer in parsed.answers if answer.revlog_id not in kept and answer.revlog_id > newest_kept]
    resend = min(held, default=None) if plan.held_back else None
    with factory() as session:
        row = session.get(AnkiImport, job_id)
        assert row is not None
        row.status, row.stage, row.percent, row.updated_at, row.finished_at = "done", "Done", 100, now, now
        row.notes_found = len({answer.item_id for answer in parsed.answers})
        row.reviews_known = plan.reviews_known
        row.refused, row.refused_detail, row.skipped = sum(plan.refused.values()), dict(plan.refused), dict(plan.skipped)
        if plan.held_back:
            row.message = f"{plan.held_back:,} newer answers wait for tomorrow's allowance; the add-on sends them then."
        elif parsed.refused:
            count = len(parsed.refused)
            row.message = f"{count:,} answer{'s' if count != 1 else ''} dated in the future {'were' if count != 1 else 'was'} refused."
        session.commit()
    return PushResult(added, plan.reviews_known, plan.held_back, parsed.ignored, parsed.refused, dict(plan.refused),
                      resend)


def push_summary(result: PushResult) -> dict[str, Any]:
    """The push's result as the API's JSON."""
    return {"added": result.added, "known": result.known, "held_back": result.held_back, "ignored": result.ignored,
            "refused": [{"id": refused.revlog_id, "reason": refused.reason} for refused in result.refused],
            "refused_by_rule": result.refused_by_guards,
            "resend_from": result.resend_from}
