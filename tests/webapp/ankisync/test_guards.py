"""The counting rules and the guards at their edges: what is a preview, a reset, too fast, overlapping."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from webapp.ankisync import counting, guards
from webapp.ankisync.package import AnkiReview, moment

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
NOW = T0 + dt.timedelta(days=1)
SKEW = dt.timedelta(minutes=5)


def _entry(seconds: float, *, item: str = "a", button: int = 3, kind: int = 1, factor: int = 2500, card_ord: int = 0,
           taken_ms: int = 1000, created: dt.datetime | None = None) -> AnkiReview:
    at = T0 + dt.timedelta(seconds=seconds)
    return AnkiReview(revlog_id=int(at.timestamp() * 1000), item_id=item, reviewed_at=at, button=button, interval=1,
                      duration_ms=taken_ms, kind=kind, factor=factor, card_ord=card_ord, note_created=created)


def test_previews_other_cards_and_resets_are_sorted_out() -> None:
    entries = [
        _entry(0, kind=0, factor=0),  # learning: counts
        _entry(10, kind=3, factor=0),  # a preview: left out
        _entry(20, kind=3, factor=2500),  # a rescheduling filtered deck: counts
        _entry(30, card_ord=1, button=1),  # the reverse card: left out
        _entry(40, kind=4, button=0, factor=0),  # Forget
        _entry(50, kind=4, button=0, factor=2500),  # set due date: neither an answer nor a reset
    ]
    result = counting.sort_out(entries)
    assert [e.reviewed_at for e in result.answers] == [T0, T0 + dt.timedelta(seconds=20)]
    assert result.resets == {"a": T0 + dt.timedelta(seconds=40)}
    assert dict(result.skipped) == {"preview": 1, "other_card": 1}


def test_a_learning_answer_after_a_review_is_an_unlogged_reset() -> None:
    entries = [_entry(0, kind=0), _entry(60, kind=1), _entry(120, kind=2, button=1), _entry(180, kind=1),
               _entry(240, kind=0), _entry(300, kind=0)]
    result = counting.sort_out(entries)
    assert result.resets == {"a": T0 + dt.timedelta(seconds=240) - dt.timedelta(milliseconds=1)}
    assert len(result.answers) == 6  # every answer stays in the history
    assert counting.sort_out(entries[:4]).resets == {}  # a lapse goes to relearning: no reset


def test_forty_answers_a_minute_pass_and_the_forty_first_does_not(db: Session) -> None:
    answers = [_entry(n * 1.45, taken_ms=1000, item=f"i{n}") for n in range(41)]  # 41 in 58 s: one too many
    kept, refused = guards.refuse(db, 1, answers, NOW, skew=SKEW, per_minute=40)
    assert len(kept) == 40 and dict(refused) == {"too_fast": 1}
    kept, refused = guards.refuse(db, 1, answers[:40], NOW, skew=SKEW, per_minute=40)
    assert len(kept) == 40 and not refused


def test_overlap_allows_a_second_of_clock_rounding(db: Session) -> None:
    first = _entry(0, taken_ms=5000)
    close = _entry(5.5, taken_ms=6400)  # began 0.9 s before the first ended: rounding
    over = _entry(11, taken_ms=8000)  # began 2.5 s before the previous one ended
    kept, refused = guards.refuse(db, 1, [over, first, close], NOW, skew=SKEW, per_minute=40)
    assert kept == [first, close] and dict(refused) == {"overlap": 1}


def test_dates_are_checked_against_now_and_the_note(db: Session) -> None:
    just_in_skew = _entry((NOW - T0).total_seconds() + 240)
    beyond = _entry((NOW - T0).total_seconds() + 360, item="b")
    early = _entry(0, item="c", created=T0 + dt.timedelta(hours=1))
    far = AnkiReview(revlog_id=10 ** 16, item_id="d", reviewed_at=moment(10 ** 16), button=3, interval=1,
                     duration_ms=1000, kind=1)
    kept, refused = guards.refuse(db, 1, [just_in_skew, beyond, early, far], NOW, skew=SKEW, per_minute=40)
    assert kept == [just_in_skew] and dict(refused) == {"future": 2, "before_note": 1}
    assert moment(-(10 ** 16)).year == 1
