"""Practice exams: which questions, the predicted score, and the score by area (pure).

Drawing (`draw_exam`):

1. Scope: the bank's items of `modules` (None: every module).
2. One item per objective: items of one objective (siblings) test one thing,
   so the seed first picks one of each objective's items; the exam is drawn
   from those picks (an exam is shorter than asked only when the scope holds
   fewer objectives than places).
3. Content areas: every question carries its MBLEx content area (`Question.mblex`,
   from the content's `mblex:` field). Each area's share of the exam follows the
   MBLEx outline's weights (`MBLEX_WEIGHTS`, FSMTB 2018 outline) among the areas
   that have items in scope, by largest remainder; an area with too few items
   gives its unfilled places to the others in the same proportions.
4. Safety: within an area, safety-critical items are drawn first for at least
   `SAFETY_SHARE` of the area's places (when it has them), the rest at random from
   the area's remaining items; so every exam holds safety-critical items when
   the scope has any.
5. Order: shuffled, so areas are mixed as in the real exam. The draw depends
   only on the seed, so an exam can be rebuilt from its seed.

Readiness (`predict_score`): the expected score is the mean, over the exam's
items, of FSRS retrievability on the exam's day (`quizzes.scheduling.retrievability`)
for items the learner has seen, and `UNSEEN_PRIOR` for items never seen, the
share a learner gets right when meeting an item for the first time (close to
what the synthetic school's learners score on first meetings; the calibration
benchmark in benchmarks/RESULTS.md says how well it holds).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from quizzes.bank import Bank
from quizzes.questions import Question
from quizzes.scheduling import retrievability

# MBLEx content outline weights (share of the examination), by area id.
MBLEX_WEIGHTS: dict[str, float] = {
    "anatomy-physiology": 0.11,
    "kinesiology": 0.12,
    "pathology-contraindications": 0.14,
    "benefits-effects": 0.15,
    "client-assessment": 0.17,
    "ethics-laws": 0.16,
    "professional-practice": 0.15,
}
SAFETY_SHARE = 0.5
UNSEEN_PRIOR = 0.5
LENGTHS = (20, 50, 100)


def area_quotas(available: Mapping[str, int], length: int) -> dict[str, int]:
    """Places per area: MBLEx weights among areas with items, capped by what each has.

    Args:
        available: area id -> number of items in scope.
        length: the exam's length (more than the items in scope gives every item).
    """
    quotas = {area: 0 for area, count in available.items() if count > 0}
    remaining = min(length, sum(available[area] for area in quotas))
    while remaining > 0:
        open_areas = [area for area in quotas if quotas[area] < available[area]]
        weights = {area: MBLEX_WEIGHTS.get(area, min(MBLEX_WEIGHTS.values())) for area in open_areas}
        total = sum(weights.values())
        exact = {area: remaining * weight / total for area, weight in weights.items()}
        given = {area: min(int(exact[area]), available[area] - quotas[area]) for area in open_areas}
        leftover = remaining - sum(given.values())
        # Largest remainder, then the area id, so the split is deterministic.
        for area in sorted(open_areas, key=lambda a: (-(exact[a] - int(exact[a])), a)):
            if leftover <= 0:
                break
            if given[area] < available[area] - quotas[area]:
                given[area] += 1
                leftover -= 1
        for area, count in given.items():
            quotas[area] += count
        placed = sum(given.values())
        if placed == 0:
            break
        remaining -= placed
    return quotas


def draw_exam(bank: Bank, length: int, seed: int | str, modules: Iterable[str] | None = None) -> tuple[str, ...]:
    """The item ids of one practice exam, in the order shown (rules in the module docstring).

    An exam asks each objective once: one of its items (siblings) is picked by the
    seed first, and the areas' quotas are then filled from those picks, so an
    exam is as long as asked whenever the scope has that many objectives.
    """
    wanted = None if modules is None else frozenset(modules)
    rng = random.Random(f"exam:{seed}")
    units: dict[str, list[Question]] = defaultdict(list)
    for question in bank.questions:
        if wanted is None or question.module in wanted:
            units[question.objective or question.id].append(question)
    by_area: dict[str, list[Question]] = defaultdict(list)
    for key in sorted(units):
        pick = rng.choice(units[key])
        by_area[pick.mblex].append(pick)
    quotas = area_quotas({area: len(items) for area, items in by_area.items()}, length)
    chosen: list[str] = []
    for area in sorted(quotas):
        items = by_area[area]
        safety = [q for q in items if q.safety_critical]
        other = [q for q in items if not q.safety_critical]
        want_safety = min(len(safety), max(math.ceil(quotas[area] * SAFETY_SHARE), quotas[area] - len(other)))
        picked = rng.sample(safety, want_safety)
        rest = [q for q in safety + other if q not in picked]
        picked += rng.sample(rest, quotas[area] - len(picked))
        chosen.extend(q.id for q in picked)
    rng.shuffle(chosen)
    return tuple(chosen)


def item_recall(card: Mapping[str, Any] | None, on: dt.datetime) -> float:
    """Predicted chance of getting one item right on `on`: retrievability, or the prior when unseen."""
    if card is None or not card.get("last_review"):
        return UNSEEN_PRIOR
    return retrievability(card, on)


def predict_score(cards: Mapping[str, Mapping[str, Any]], item_ids: Sequence[str], on: dt.datetime) -> float:
    """The expected score (0..1) of an exam of `item_ids` taken on `on`, from the learner's cards."""
    if not item_ids:
        return 0.0
    return sum(item_recall(cards.get(item), on) for item in item_ids) / len(item_ids)


@dataclass(frozen=True)
class Tally:
    """Points scored out of questions asked, for one group (an area, a module, the exam)."""

    points: float
    total: int

    @property
    def share(self) -> float:
        """Points over questions (0 for an empty group)."""
        return self.points / self.total if self.total else 0.0


def tally_by(scores: Mapping[str, float], key: Mapping[str, str]) -> dict[str, Tally]:
    """Each group's tally, where `scores` is item id -> score (0..1) and `key` item id -> group."""
    points: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for item, score in scores.items():
        group = key.get(item, "")
        points[group] += score
        counts[group] += 1
    return {group: Tally(points[group], counts[group]) for group in sorted(counts)}


def calibration_mae(pairs: Iterable[tuple[float, float]]) -> float:
    """Mean absolute error between predicted and actual scores (0 for no pairs)."""
    errors = [abs(predicted - actual) for predicted, actual in pairs]
    return sum(errors) / len(errors) if errors else 0.0
