"""The activity rollups equal the counts recomputed from the reviews after every kind of write, and read exactly."""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.datastructures import MultiDict

from quizzes.questions import Question
from tests.webapp.helpers import answer_fields
from webapp.accounts.profile.deletion import delete_account
from webapp.ankisync.history import Retention, add_anki_reviews
from webapp.ankisync.package import AnkiReview
from webapp.platform.clock import local_date, zone_names
from webapp.platform.db import get_session
from webapp.platform.models import Review, ReviewActivity, User
from webapp.questions.responses import parse_response
from webapp.records import activity
from webapp.records.activity import Counts, bucket_of, contribution, rebuild, recount
from webapp.records.answers import record_answer
from webapp.records.corrections import override_rating, undo_answer
from webapp.records.stats import day_of

T0 = dt.datetime(2026, 3, 1, 9, 7, 30, tzinfo=dt.timezone.utc)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    with app.app_context():
        session = get_session()
        session.add_all([User(email=f"u{n}@example.com", display_name=f"U{n}", password_hash="x") for n in (1, 2)])
        session.commit()
        yield session


def _uid(db: Session, n: int = 1) -> int:
    return int(db.scalar(select(User.id).where(User.email == f"u{n}@example.com")))


def _true(db: Session) -> None:
    """Every learner's stored rows equal their recount, and a set-based rebuild writes the very same rows."""
    db.commit()
    before = {}
    for user in db.scalars(select(User.id)):
        stored, recomputed = recount(db, user)
        assert stored == recomputed, user
        before[user] = stored
    rebuild(db)
    db.commit()
    assert {user: recount(db, user)[0] for user in before} == before


def _answer(db: Session, question: Question, presentation: str, at: dt.datetime, correct: bool = True) -> Review:
    response = parse_response(question, MultiDict(answer_fields(question, correct))).response
    return record_answer(db, _uid(db), question, response, 4000, presentation, at, 0.9, 0.95).review


def _day(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _review(user: int, at: dt.datetime, result: str, rating: int, state_before: int, n: list[int] = [0]) -> Review:
    n[0] += 1
    return Review(user_id=user, item_id="q", presentation_id=f"r{n[0]}", reviewed_at=at, response="x", result=result,
                  score=1.0, rating=rating, response_ms=1000, attempt=1, state_before=state_before)


def test_bucket_edges_and_the_rule() -> None:
    assert bucket_of(dt.datetime(2026, 3, 1, 9, 14, 59, 999999, tzinfo=dt.timezone.utc)) == T0.replace(minute=0, second=0)
    assert bucket_of(dt.datetime(2026, 3, 1, 9, 15, tzinfo=dt.timezone.utc)) == T0.replace(minute=15, second=0)
    paris = dt.timezone(dt.timedelta(hours=1))
    assert bucket_of(dt.datetime(2026, 3, 1, 10, 59, tzinfo=paris)) == dt.datetime(2026, 3, 1, 9, 45, tzinfo=dt.timezone.utc)
    assert contribution("correct", 2, 3) == Counts(1, 1, 1, 1)
    assert contribution("partial", 2, 1) == Counts(1, 0, 1, 0)
    assert contribution("correct", 1, 4) == Counts(1, 1, 0, 0)


def test_orm_writes_and_the_sql_rebuild_agree_at_bucket_edges(db: Session) -> None:
    hour = dt.datetime(2026, 3, 1, 23, 0, tzinfo=dt.timezone.utc)
    edges = [hour - dt.timedelta(microseconds=1), hour, hour + 14 * MINUTE + dt.timedelta(seconds=59, microseconds=999999),
             hour + 15 * MINUTE, hour + 59 * MINUTE + dt.timedelta(seconds=59), hour + 60 * MINUTE]
    db.add_all([_review(_uid(db), at, "correct" if i % 2 else "incorrect", 1 + i % 4, i % 3) for i, at in enumerate(edges)])
    _true(db)
    stored, _ = recount(db, _uid(db))
    assert sorted(stored) == [hour - 15 * MINUTE, hour, hour + 15 * MINUTE, hour + 45 * MINUTE, hour + 60 * MINUTE]
    assert stored[hour] == Counts(2, 1, 1, 1) and stored[hour + 15 * MINUTE] == Counts(1, 1, 0, 0)


def test_answers_an_override_and_an_undo_keep_the_rollups_true(app: Flask, db: Session) -> None:
    bank = app.extensions["bank"]
    question, other = [q for q in bank.questions if q.type == "mcq"][:2]
    _answer(db, question, "p1", T0, correct=False)
    _true(db)
    later = _answer(db, question, "p2", T0 + dt.timedelta(days=6))
    _answer(db, other, "p3", T0 + 2 * MINUTE)
    _true(db)
    assert recount(db, _uid(db))[0][bucket_of(T0)] == Counts(2, 1, 0, 0)
    for rating in (1, 4):
        override_rating(db, _uid(db), later.id, question, rating, 0.9, 0.95)
        _true(db)
    last = _answer(db, other, "p4", T0 + dt.timedelta(days=9))
    assert bucket_of(last.reviewed_at) in recount(db, _uid(db))[0]
    undo_answer(db, _uid(db), last.id, last.reviewed_at + MINUTE)
    _true(db)
    assert bucket_of(last.reviewed_at) not in recount(db, _uid(db))[0]  # the row went with its only review


def test_a_rating_override_of_a_review_state_answer_moves_passed(db: Session) -> None:
    row = _review(_uid(db), T0, "correct", 3, 2)
    db.add(row)
    db.commit()
    assert recount(db, _uid(db))[0] == {bucket_of(T0): Counts(1, 1, 1, 1)}
    row.rating = 1
    db.commit()
    assert recount(db, _uid(db))[0] == {bucket_of(T0): Counts(1, 1, 1, 0)}
    row.reviewed_at = T0 + dt.timedelta(hours=1)  # a moved review leaves its old bucket
    db.commit()
    assert recount(db, _uid(db))[0] == {bucket_of(T0 + dt.timedelta(hours=1)): Counts(1, 1, 1, 0)}
    _true(db)


def test_an_anki_import_keeps_the_rollups_true(app: Flask, db: Session) -> None:
    bank = app.extensions["bank"]
    question = next(q for q in bank if q.type == "truefalse")
    _answer(db, question, "p1", T0 + dt.timedelta(days=2))
    answers = [AnkiReview(revlog_id=int(at.timestamp() * 1000), item_id=question.id, reviewed_at=at, button=button,
                          interval=1, duration_ms=4000, kind=1)
               for at, button in ((T0, 4), (T0 + dt.timedelta(hours=1), 3), (T0 + dt.timedelta(days=9), 1))]
    added = add_anki_reviews(db, _uid(db), answers, bank, Retention(0.9, 0.95))
    assert added.reviews_added == 3
    _true(db)
    # The browser answer now follows an Easy in Anki: the replay restated it as a review-state answer.
    assert recount(db, _uid(db))[0][bucket_of(T0 + dt.timedelta(days=2))] == Counts(1, 1, 1, 1)
    assert sum(counts.reviews for counts in recount(db, _uid(db))[0].values()) == 4


def test_a_deleted_account_takes_its_rows(db: Session) -> None:
    db.add_all([_review(_uid(db, n), T0, "correct", 3, 2) for n in (1, 2)])
    db.commit()
    user = db.get(User, _uid(db))
    assert user is not None
    delete_account(db, user, "delete", T0)
    assert db.scalar(select(func.count()).select_from(ReviewActivity)) == 1
    _true(db)


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kathmandu", "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham"])
def test_a_window_sums_exactly_what_the_reviews_say(db: Session, zone: str) -> None:
    """Random reviews, random boundaries: per-day sums from the window equal counts over the reviews in range."""
    rng = random.Random(zone)
    start_of_history = dt.datetime(2026, 3, 25, tzinfo=dt.timezone.utc)  # spans Europe's and Australia's DST changes
    reviews = [_review(_uid(db, rng.choice((1, 2))), start_of_history + dt.timedelta(seconds=rng.randrange(20 * 86400)),
                       rng.choice(("correct", "incorrect")), rng.randint(1, 4), rng.randint(0, 3)) for _ in range(400)]
    db.add_all(reviews)
    db.commit()
    ids = [_uid(db, 1), _uid(db, 2)]
    for _ in range(6):
        start = start_of_history + dt.timedelta(seconds=rng.randrange(10 * 86400))
        end = start + dt.timedelta(seconds=rng.randrange(10 * 86400))
        cut = start + (end - start) / 3
        window = activity.window(ids, start, end, cuts=[cut])
        day = day_of(db, window.c.at, zone)
        at_or_after_cut = case((window.c.at >= cut, window.c.reviews), else_=0)
        got = {_day(d): (int(n), int(c), int(i), int(p), int(a)) for d, n, c, i, p, a in db.execute(select(
            day, func.sum(window.c.reviews), func.sum(window.c.correct), func.sum(window.c.in_review),
            func.sum(window.c.passed), func.sum(at_or_after_cut),
        ).group_by(day))}
        expected: dict[dt.date, tuple[int, int, int, int, int]] = {}
        for row in reviews:
            if start <= row.reviewed_at <= end:
                key = local_date(row.reviewed_at, zone)
                n, c, i, p, a = expected.get(key, (0, 0, 0, 0, 0))
                counts = contribution(row.result, row.state_before, row.rating)
                expected[key] = (n + 1, c + counts.correct, i + counts.in_review, p + counts.passed,
                                 a + int(row.reviewed_at >= cut))
        assert got == expected


def test_every_zone_offered_is_whole_quarter_hours_from_utc() -> None:
    """What lets a local day be summed from UTC quarter-hours: no zone offset in use is finer."""
    from zoneinfo import ZoneInfo

    moments = [dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(days=d) for d in range(0, 730, 7)]
    for name in zone_names():
        zone = ZoneInfo(name)
        for moment in moments:
            offset = moment.astimezone(zone).utcoffset()
            assert offset is not None and offset % dt.timedelta(minutes=15) == dt.timedelta(0), (name, moment)


def test_two_tabs_answering_at_once_both_count(app: Flask, db: Session) -> None:
    """Two transactions adding to one bucket's row at once (PostgreSQL runs them concurrently): neither count is lost."""
    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]
    questions = [q for q in app.extensions["bank"].questions if q.type == "mcq"][:8]
    user_id = _uid(db)
    db.commit()
    for round_ in range(len(questions) // 2):
        barrier = threading.Barrier(2)
        errors: list[BaseException] = []

        def tab(index: int, round_: int = round_, barrier: threading.Barrier = barrier) -> None:
            question = questions[2 * round_ + index]
            response = parse_response(question, MultiDict(answer_fields(question))).response
            with factory() as session:
                barrier.wait()
                try:
                    record_answer(session, user_id, question, response, 3000, f"tab-{round_}-{index}",
                                  T0 + dt.timedelta(seconds=round_), 0.9, 0.95)
                except BaseException as error:  # noqa: BLE001  (reported by the assertion below)
                    errors.append(error)

        threads = [threading.Thread(target=tab, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
    assert recount(db, user_id)[0] == {bucket_of(T0): Counts(len(questions), len(questions), 0, 0)}
    _true(db)
