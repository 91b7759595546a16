"""Practice exams (pure): MBLEx-weighted drawing, safety items, readiness prediction, tallies."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from quizzes.bank import Bank
from quizzes.exams import (
    MBLEX_WEIGHTS,
    UNSEEN_PRIOR,
    area_quotas,
    calibration_mae,
    draw_exam,
    predict_score,
    tally_by,
)
from quizzes.scheduling import review

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)


def test_quotas_follow_the_mblex_weights_and_sum_to_the_length() -> None:
    quotas = area_quotas({area: 100 for area in MBLEX_WEIGHTS}, 100)
    assert sum(quotas.values()) == 100
    assert quotas == {area: round(weight * 100) for area, weight in MBLEX_WEIGHTS.items()}


def test_an_area_short_of_items_gives_its_places_to_the_others() -> None:
    quotas = area_quotas({"ethics-laws": 2, "anatomy-physiology": 50, "client-assessment": 50}, 40)
    assert quotas["ethics-laws"] == 2 and sum(quotas.values()) == 40
    assert quotas["client-assessment"] > quotas["anatomy-physiology"]  # 17 % against 11 %


def test_a_longer_exam_than_the_scope_gives_every_item() -> None:
    assert area_quotas({"kinesiology": 2, "ethics-laws": 3}, 100) == {"kinesiology": 2, "ethics-laws": 3}


@pytest.mark.parametrize("length", [20, 50, 100])
def test_draw_is_reproducible_has_no_repeats_and_includes_safety_items(real_bank: Bank, length: int) -> None:
    items = draw_exam(real_bank, length, seed=7)
    assert items == draw_exam(real_bank, length, seed=7)
    assert len(items) == len(set(items)) == length
    questions = [real_bank.get(item) for item in items]
    assert sum(q.safety_critical for q in questions if q) >= length // 4
    objectives = [q.objective for q in questions if q]
    assert len(objectives) == len(set(objectives)), "two siblings in one exam"
    by_area = Counter(q.mblex for q in questions if q)
    assert sum(by_area.values()) == length and set(by_area) <= {q.mblex for q in real_bank.questions}


def test_draw_keeps_to_the_modules(real_bank: Bank) -> None:
    module = real_bank.modules[0].id
    items = draw_exam(real_bank, 20, seed=1, modules=[module])
    assert all(real_bank.get(item).module == module for item in items)  # type: ignore[union-attr]


def test_prediction_uses_retrievability_and_the_prior_for_unseen_items() -> None:
    fresh = review(None, 3, NOW - dt.timedelta(days=30), fuzz=False).card
    predicted = predict_score({"a": fresh}, ["a", "b"], NOW)
    recall = predict_score({"a": fresh}, ["a"], NOW)
    assert 0 < recall < 1
    assert predicted == pytest.approx((recall + UNSEEN_PRIOR) / 2)
    assert predict_score({}, [], NOW) == 0.0


def test_tallies_and_calibration() -> None:
    tallies = tally_by({"a": 1.0, "b": 0.5, "c": 0.0}, {"a": "x", "b": "x", "c": "y"})
    assert tallies["x"].points == 1.5 and tallies["x"].total == 2 and tallies["y"].share == 0.0
    assert calibration_mae([(0.5, 0.7), (0.8, 0.6)]) == pytest.approx(0.2)
