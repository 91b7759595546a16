"""Day-by-day study of one simulated learner through the real planner and scheduler.

Each question is chosen by `quizzes.planner.plan_next` exactly as `/study` does
(same limits, new items met today, last item), answered by the learner model in
`webapp.tools.synthetic.learners`, and graded, rated and scheduled by
`webapp.records.answers.score_answer` (the pure core of the web app's
`record_answer`; `scoring` memoises its grading).
The usual speed for the rating is the median of the learner's last answers of
the type, as `record_answer` computes it. The rows come from the web app's own
builders (`review_values`, `next_state`), so they are what it would have written: Review rows with attempt numbers, state before, rating,
response and card before; ReviewChoice rows for choice questions; one ItemState
per item with the final card.

The result is plain dicts and tuples (no ORM objects), ready for the bulk
writer, and depends only on the student's seed string and `now`.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from quizzes.bank import Bank
from quizzes.grading import chosen_options
from quizzes.planner import Limits, plan_next
from quizzes.questions import ChoiceQuestion
from quizzes.scheduling import retrievability
from webapp.classes.settings import StudySettings
from webapp.records.rollups import NO_ANSWERS, next_rollups
from webapp.records.scoring import MAX_RESPONSE_MS, TYPICAL_WINDOW, Scored, next_state, review_values
from webapp.tools.synthetic.cardview import CardView
from webapp.tools.synthetic.learners import Learner, answer, item_offset, recall_probability, response_ms
from webapp.tools.synthetic.scoring import score

DAY = dt.timedelta(days=1)
# The planner is shown the cards due within this window of a sitting's start
# (see `cardview`); a longer sitting moves the window on.
WINDOW = dt.timedelta(hours=3)
# Chance that a learner presses a rating button other than the automatic one.
OVERRIDE_CHANCE = 0.02


@dataclass(frozen=True)
class Student:
    """One simulated student: their database id, traits, class settings and join time."""

    user_id: int
    seed: str  # the student's own random stream: same seed, same history
    learner: Learner
    settings: StudySettings
    joined: dt.datetime


@dataclass
class History:
    """What one student's study wrote, as rows for the bulk writer."""

    reviews: list[dict[str, Any]] = field(default_factory=list)
    # (index of the review in `reviews`, option id, item id, unsafe)
    choices: list[tuple[int, str, str, bool]] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)


class _Run:
    """The mutable state of one student's simulation."""

    def __init__(self, student: Student, bank: Bank, offsets: dict[str, float], safety_retention: float) -> None:
        self.student = student
        self.bank = bank
        self.offsets = offsets
        self.safety = safety_retention
        self.rng = random.Random(student.seed)
        self.limits = Limits(new_per_day=student.settings.new_per_day, modules=student.settings.modules)
        self.cards: dict[str, dict[str, Any]] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.attempts: dict[str, int] = {}
        self.speeds: dict[str, deque[int]] = {}
        self.history = History()
        self.last_item: str | None = None
        self.new_today = 0
        self.today: dt.date | None = None
        self.view = CardView(self.cards, {}, student.joined)

    def session(self, start: dt.datetime, size: int, end: dt.datetime) -> dt.datetime:
        """Study up to `size` questions from `start`, never past `end`; returns when it stopped."""
        shown = start
        self.view = self._view(shown)
        for _ in range(size):
            if shown.date() != self.today:
                self.today, self.new_today = shown.date(), 0
            if shown > self.view.horizon:  # a very long sitting: move the window on
                self.view = self._view(shown)
            plan = plan_next(self.view, self.bank, self.limits, shown,
                             new_seen_today=self.new_today, last_item=self.last_item)
            question = plan.next
            if question is None:
                break
            answered = self.answer(question, shown, end)
            if answered is None:  # it would be answered after "now": it has not happened yet
                break
            shown = answered + dt.timedelta(seconds=self.rng.lognormvariate(1.6, 0.5))
        return shown

    def _view(self, start: dt.datetime) -> CardView:
        return CardView(self.cards, {item_id: item["due"] for item_id, item in self.items.items()}, start + WINDOW)

    def answer(self, question: Any, shown: dt.datetime, end: dt.datetime) -> dt.datetime | None:
        """Answer `question` shown at `shown` and record the rows; the answer time (None: after `end`)."""
        rng, learner = self.rng, self.student.learner
        card = self.cards.get(question.id)
        recall = None if card is None else retrievability(card, shown)
        knows = rng.random() < recall_probability(learner, question, self.offsets[question.id], recall)
        response = answer(rng, learner, question, knows)
        took = min(response_ms(rng, learner, question, knows, card is None), MAX_RESPONSE_MS)
        now = shown + dt.timedelta(milliseconds=took)
        if now > end:
            return None
        speeds = self.speeds.setdefault(question.type, deque(maxlen=TYPICAL_WINDOW))
        typical = float(statistics.median(speeds)) if speeds else None
        override = rng.choice((2, 3, 4)) if rng.random() < OVERRIDE_CHANCE else None
        scored = score(question, response, took, card, typical, now,
                              self.student.settings.desired_retention, self.safety, override)
        self._record(question, response, took, card, scored, now)
        speeds.appendleft(took)
        return now

    def _record(self, question: Any, response: object, took: int, card: dict[str, Any] | None,
                scored: Scored, now: dt.datetime) -> None:
        state_before = 0 if card is None else int(card["state"])
        attempt = self.attempts.get(question.id, 0) + 1
        self.attempts[question.id] = attempt
        reviews = self.history.reviews
        reviews.append(review_values(
            user_id=self.student.user_id, question=question,
            presentation_id=f"synthetic-{self.student.user_id}-{len(reviews) + 1}", now=now, response=response,
            scored=scored, response_ms=took, attempt=attempt, state_before=state_before, card_before=card,
            source="synthetic",
        ))
        if isinstance(question, ChoiceQuestion):
            chosen = chosen_options(response)
            self.history.choices.extend(
                (len(reviews) - 1, option.id, question.id, option.unsafe)
                for option in question.options if option.id in chosen
            )
        previous = self.items.get(question.id)
        reps, lapses = (previous["reps"], previous["lapses"]) if previous else (0, 0)
        item = {
            **next_state(reps, lapses, scored, state_before, question.module, now),
            **next_rollups(previous or NO_ANSWERS, scored.grade.outcome, bool(scored.grade.unsafe_chosen)),
        }
        self.items[question.id] = item
        self.cards[question.id] = item["card"]
        self.view.update(question.id, item["card"], item["due"])
        self.last_item = question.id
        if state_before == 0:
            self.new_today += 1

    def states(self) -> list[dict[str, Any]]:
        """The final ItemState rows."""
        return [{"user_id": self.student.user_id, "item_id": item_id, **item} for item_id, item in self.items.items()]


def item_offsets(bank: Bank, seed: int) -> dict[str, float]:
    """Each item's own logit shift for this seed (see `learners.item_offset`)."""
    return {question.id: item_offset(seed, question.id) for question in bank.questions}


def simulate_student(student: Student, bank: Bank, offsets: dict[str, float], now: dt.datetime,
                     safety_retention: float = 0.95) -> History:
    """Simulate `student` from their join time up to `now`, one UTC day at a time.

    Args:
        student: who studies, with their class settings.
        bank: the question bank the planner draws from.
        offsets: per-item difficulty shifts (`item_offsets`), shared by a run.
        now: the end of the history; nothing is answered after it.
        safety_retention: the retention safety-critical items are scheduled for.

    Returns:
        The rows their study wrote.
    """
    # fsrs fuzzes intervals with the `random` module's global generator; seeding
    # it per student keeps the history reproducible (and independent of order).
    random.seed(f"{student.seed}:fuzz")
    run = _Run(student, bank, offsets, safety_retention)
    learner, rng = student.learner, run.rng
    day = student.joined.replace(hour=0, minute=0, second=0, microsecond=0)
    free_from = student.joined
    index = 0
    while day <= now:
        if learner.quit_day is not None and index >= learner.quit_day:
            break
        sittings = 0
        if rng.random() < learner.diligence:
            # Keen learners sometimes come back later the same day.
            sittings = 2 if rng.random() < 0.25 * learner.diligence else 1
        for sitting in range(sittings):
            hour = learner.hour + 3.5 * sitting + rng.gauss(0.0, 1.0)
            start = max(free_from, day + dt.timedelta(hours=min(23.9, max(0.0, hour))))
            if start >= now:
                break
            size = max(3, int(rng.lognormvariate(0.0, 0.35) * learner.session_size))
            free_from = run.session(start, size, now) + dt.timedelta(minutes=1)
        day += DAY
        index += 1
    run.history.states = run.states()
    return run.history
