"""The item-state rollups (first attempt, unsafe picks, still unsafe) stay equal to the reviews through every writer."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from quizzes.bank import Bank
from quizzes.questions import ChoiceQuestion, Question
from tests.webapp.helpers import answer_fields
from webapp.ankisync.history import Retention, add_anki_reviews
from webapp.ankisync.package import AnkiReview
from webapp.platform.models import ItemState, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.records.corrections import undo_answer
from webapp.records.rollups import ROLLUPS, next_rollups, pair_rollups, rollups_of
from webapp.tools.integrity.verify import Mismatch, verify

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
DAY = dt.timedelta(days=1)



def _uid(db: Session) -> int:
    return int(db.scalar(select(User.id)) or 0)


def _record(db: Session, question: Question, fields: dict[str, object], presentation: str, now: dt.datetime) -> int:
    response = parse_response(question, MultiDict(fields)).response  # type: ignore[arg-type]
    return record_answer(db, _uid(db), question, response, 4000, presentation, now, 0.9, 0.95).review.id


def _rollups(db: Session, item_id: str) -> tuple[object, ...]:
    db.expire_all()
    state = db.get(ItemState, (_uid(db), item_id))
    assert state is not None
    return tuple(getattr(state, name) for name in ROLLUPS)


def _anki(at: dt.datetime, item_id: str, button: int) -> AnkiReview:
    return AnkiReview(revlog_id=int(at.timestamp() * 1000), item_id=item_id, reviewed_at=at, button=button,
                      interval=1, duration_ms=4000, kind=1)


def test_the_fold_counts_the_first_attempt_and_the_latest_pick() -> None:
    assert rollups_of([]) == {"first_correct": None, "unsafe_picks": 0, "last_unsafe": False}
    assert rollups_of([("incorrect", True), ("correct", False), ("partial", True)]) == {
        "first_correct": False, "unsafe_picks": 2, "last_unsafe": True}
    assert next_rollups(rollups_of([("correct", False)]), "incorrect", False)["first_correct"] is True


def test_answers_undo_and_anki_keep_the_rollups_equal_to_the_reviews(app: Flask, db: Session) -> None:
    bank: Bank = app.extensions["bank"]
    mcq = next(q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"
               and any(o.unsafe for o in q.options))
    assert isinstance(mcq, ChoiceQuestion)
    unsafe = next(o.id for o in mcq.options if o.unsafe)
    right = next(o.id for o in mcq.options if o.correct)
    truefalse = next(q for q in bank.questions if q.type == "truefalse")

    _record(db, mcq, {"choice": unsafe}, "p1", T0)
    assert _rollups(db, mcq.id) == (False, 1, True)
    _record(db, mcq, {"choice": right}, "p2", T0 + DAY)
    assert _rollups(db, mcq.id) == (False, 1, False)  # answered safely since
    third = _record(db, mcq, {"choice": unsafe}, "p3", T0 + 2 * DAY)
    assert _rollups(db, mcq.id) == (False, 2, True)
    undo_answer(db, _uid(db), third, T0 + 2 * DAY + dt.timedelta(minutes=1))
    assert _rollups(db, mcq.id) == (False, 1, False)  # back to the safe answer
    _record(db, mcq, {"choice": unsafe}, "p4", T0 + 3 * DAY)
    _record(db, truefalse, answer_fields(truefalse, True), "p5", T0 + 3 * DAY)
    assert _rollups(db, truefalse.id) == (True, 0, False)

    # Anki answers from before the browser's first attempt, and one after the unsafe pick.
    add_anki_reviews(db, _uid(db), [_anki(T0 - DAY, truefalse.id, 1), _anki(T0 + 4 * DAY, mcq.id, 3)],
                     bank, Retention(0.9, 0.95))
    db.commit()
    assert _rollups(db, truefalse.id) == (False, 0, False)  # the first attempt is now Anki's "Again"
    assert _rollups(db, mcq.id) == (False, 2, False)  # the latest answer (Anki's) picked nothing unsafe

    for state in db.scalars(select(ItemState)):
        assert {name: getattr(state, name) for name in ROLLUPS} == pair_rollups(db, state.user_id, state.item_id)
    db.rollback()  # end the read, so the verifier's own sessions may begin
    found = [m for m in verify(app.extensions["db_engine"]) if isinstance(m, Mismatch)]
    assert not [m for m in found if set(m.stored) & set(ROLLUPS)]
