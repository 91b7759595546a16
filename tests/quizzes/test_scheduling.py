"""FSRS scheduling with fixed UTC times and fuzzing off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from fsrs import Card, Scheduler

from quizzes.errors import QuizError
from quizzes.questions import Grade
from quizzes.scheduling import Rating, rating_for, retention_for, retrievability, review
from tests.quizzes.test_grading import MCQ

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def graduated(retention: float = 0.9) -> tuple[dict, dt.datetime]:
    """A card answered Good twice (new -> learning -> review), and when it is next due."""
    first = review(None, Rating.GOOD, T0, retention, fuzz=False)
    second = review(first.card, Rating.GOOD, first.due, retention, fuzz=False)
    assert second.state == 2
    return second.card, second.due


def test_again_on_a_new_card_gives_a_short_interval() -> None:
    result = review(None, Rating.AGAIN, T0, fuzz=False)
    assert result.state == 1
    assert result.due - T0 <= dt.timedelta(minutes=10)
    assert result.card["last_review"] == T0.isoformat()


def test_again_on_a_review_card_relearns_within_minutes() -> None:
    card, due = graduated()
    lapse = review(card, Rating.AGAIN, due, fuzz=False)
    assert lapse.state == 3 and lapse.due - due <= dt.timedelta(minutes=10)
    assert lapse.stability is not None and lapse.stability < card["stability"]


def test_good_on_a_review_card_grows_the_interval() -> None:
    card, due = graduated()
    first_interval = due - dt.datetime.fromisoformat(card["last_review"])
    again = review(card, Rating.GOOD, due, fuzz=False)
    assert again.state == 2
    assert again.due - due > first_interval
    third = review(again.card, Rating.GOOD, again.due, fuzz=False)
    assert third.due - again.due > again.due - due


def test_hard_easy_order_intervals() -> None:
    card, due = graduated()
    intervals = [review(card, rating, due, fuzz=False).due - due for rating in (Rating.HARD, Rating.GOOD, Rating.EASY)]
    assert intervals == sorted(intervals) and len(set(intervals)) == 3


def test_higher_desired_retention_gives_shorter_intervals() -> None:
    card, due = graduated()
    relaxed = review(card, Rating.GOOD, due, 0.85, fuzz=False).due
    normal = review(card, Rating.GOOD, due, 0.90, fuzz=False).due
    strict = review(card, Rating.GOOD, due, 0.95, fuzz=False).due
    assert strict < normal < relaxed


def test_state_round_trips_through_json() -> None:
    card, due = graduated()
    stored = json.loads(json.dumps(card))
    assert stored == card
    assert Card.from_dict(stored).to_dict() == card
    assert review(stored, Rating.GOOD, due, fuzz=False) == review(card, Rating.GOOD, due, fuzz=False)


def test_times_in_other_zones_are_converted_and_naive_ones_refused() -> None:
    card, due = graduated()
    paris = due.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert review(card, Rating.GOOD, paris, fuzz=False) == review(card, Rating.GOOD, due, fuzz=False)
    with pytest.raises(QuizError, match="timezone-aware"):
        review(card, Rating.GOOD, due.replace(tzinfo=None), fuzz=False)


@pytest.mark.parametrize("bad", [0, 5, True, "3", 2.5])
def test_bad_ratings_are_refused(bad: object) -> None:
    with pytest.raises(QuizError, match="rating"):
        review(None, bad, T0, fuzz=False)  # type: ignore[arg-type]


def test_bad_cards_and_retentions_are_refused() -> None:
    with pytest.raises(QuizError, match="not a stored card"):
        review({"state": 2}, Rating.GOOD, T0)
    with pytest.raises(QuizError, match="retention"):
        review(None, Rating.GOOD, T0, 1.0)


def test_fuzzing_stays_near_the_exact_interval() -> None:
    card, due = graduated()
    for _ in range(3):
        card = review(card, Rating.GOOD, dt.datetime.fromisoformat(card["due"]), fuzz=False).card
    at = dt.datetime.fromisoformat(card["due"])
    exact = review(card, Rating.GOOD, at, fuzz=False).due - at
    fuzzed = {review(card, Rating.GOOD, at).due - at for _ in range(20)}
    assert all(abs(f - exact) <= exact * 0.25 for f in fuzzed)
    assert len(fuzzed) > 1


CORRECT = Grade("correct", 1.0, "")


@pytest.mark.parametrize(
    ("grade", "ms", "typical", "expected"),
    [
        (Grade("incorrect", 0.0, ""), 1000, 5000.0, Rating.AGAIN),
        (Grade("partial", 0.5, ""), 1000, 5000.0, Rating.AGAIN),
        (CORRECT, 5000, None, Rating.GOOD),
        (CORRECT, 5000, 5000.0, Rating.GOOD),
        (CORRECT, 10_000, 5000.0, Rating.GOOD),
        (CORRECT, 10_001, 5000.0, Rating.HARD),
        (CORRECT, 2500, 5000.0, Rating.GOOD),
        (CORRECT, 2499, 5000.0, Rating.EASY),
        (CORRECT, 1000, 0.0, Rating.GOOD),
    ],
)
def test_rating_rule(grade: Grade, ms: int, typical: float | None, expected: Rating) -> None:
    assert rating_for(grade, ms, typical) == expected


def test_invalid_grades_are_not_rated() -> None:
    with pytest.raises(QuizError):
        rating_for(Grade("invalid", 0.0, "bad"), 1000, None)


def test_safety_critical_items_get_the_higher_retention() -> None:
    safe = dataclasses.replace(MCQ, safety_critical=True)
    assert retention_for(MCQ) == 0.90 and retention_for(safe) == 0.95
    assert retention_for(safe, 0.85, 0.97) == 0.97
    assert retention_for(safe, 0.97, 0.95) == 0.97  # never below the ordinary figure
    assert retention_for(MCQ, 0.85, 0.97) == 0.85


def test_retrievability_matches_fsrs_and_decays() -> None:
    card, due = graduated()
    fsrs_card, reference = Card.from_dict(card), Scheduler()
    values = []
    for days in (0, 1, 3, 10, 30, 365):
        at = T0 + dt.timedelta(days=days)
        value = retrievability(card, at)
        assert value == pytest.approx(reference.get_card_retrievability(fsrs_card, at))
        values.append(value)
    assert values == sorted(values, reverse=True) and values[0] == pytest.approx(1.0) and values[-1] < 0.5
    assert retrievability({"last_review": None, "stability": None}, T0) == 0.0

