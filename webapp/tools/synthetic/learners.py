"""Simulated learners: who they are, whether they recall an item, what they answer.

A learner has an ability (a logit shift on every recall), a diligence (the chance
of studying on a given day), a usual session length and time of day, a speed
(a factor on every response time) and a caution (how rarely a wrong pick is the
option marked unsafe). Whether they answer right is drawn from the item's FSRS
retrievability shifted by ability and by the item's difficulty, so the history
looks like a class of real people studying with a real scheduler: most answers
right, weak learners and hard items visibly worse, forgetting where reviews
were skipped.

Everything is drawn from a `random.Random` the caller seeds; nothing here reads
the clock or the database.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)

# Median seconds to answer, by question type, for a learner of speed 1.0 who
# knows the answer; log-normal around it (real answer times are skewed right).
MEDIAN_SECONDS: dict[str, float] = {
    "truefalse": 7.0,
    "mcq": 12.0,
    "hotspot": 9.0,
    "multi": 20.0,
    "cloze": 16.0,
    "matching": 32.0,
}
TIME_SIGMA = 0.45
# Not knowing takes longer; meeting an item for the first time longer still.
WRONG_SLOWDOWN = 1.35
NEW_SLOWDOWN = 1.25
# Chance that a first meeting is answered right, before ability and difficulty.
FIRST_TRY_LOGIT = 0.2
# How much one step of content difficulty (1..3) lowers the odds of recall.
DIFFICULTY_LOGIT = 0.45
# fsrs counts whole days, so an item seen minutes ago has retrievability 1;
# even then a learner slips now and then, more so a weak one.
RECALL_CEILING = 0.97
# Words a confused learner writes into a blank; graded, so a lucky one counts.
CLOZE_GUESSES = ("not sure", "muscle", "tendon", "pressure", "bone", "skin")


@dataclass(frozen=True)
class Learner:
    """One simulated learner's traits (drawn once, fixed for the whole history)."""

    ability: float  # logit shift of every recall; 0 is the average learner
    diligence: float  # chance of studying on a given day
    session_size: int  # usual number of questions in one sitting
    speed: float  # factor on every response time (below 1 is quick)
    caution: float  # 0..1: how strongly a wrong pick avoids unsafe options
    hour: float  # usual hour of the day (UTC) they study at
    quit_day: int | None  # day they stop studying altogether (None: never)


def draw_learner(rng: random.Random, days: int) -> Learner:
    """A learner with traits spread like a real class: most average, a few weak or keen."""
    keen = rng.random()
    return Learner(
        ability=rng.gauss(0.0, 0.8),
        diligence=min(0.95, max(0.1, rng.betavariate(2.2, 1.8))),
        session_size=max(8, int(rng.lognormvariate(math.log(18 + 27 * keen), 0.35))),
        speed=rng.lognormvariate(0.0, 0.25),
        caution=rng.betavariate(4.0, 1.5),
        hour=min(23.0, max(6.0, rng.gauss(18.0, 3.0))),
        # About one in seven gives up partway: the "inactive" students of a real class.
        quit_day=int(days * rng.uniform(0.3, 0.9)) if rng.random() < 0.14 else None,
    )


def item_offset(seed: int, item_id: str) -> float:
    """A per-item logit shift, fixed for a seed: some items are harder than their rating."""
    return random.Random(f"{seed}:item:{item_id}").gauss(0.0, 0.45)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(0.995, max(0.005, p))
    return math.log(p / (1.0 - p))


def recall_probability(learner: Learner, question: Question, offset: float, retrievability: float | None) -> float:
    """Chance the learner answers right: FSRS retrievability shifted by ability and difficulty.

    Args:
        learner: who answers.
        question: the item (its content difficulty counts).
        offset: the item's own logit shift (`item_offset`).
        retrievability: FSRS retrievability now, or None when the item is new.
    """
    shift = learner.ability + offset - DIFFICULTY_LOGIT * (question.difficulty - 2)
    base = FIRST_TRY_LOGIT if retrievability is None else _logit(min(retrievability, RECALL_CEILING))
    return _sigmoid(base + shift)


def response_ms(rng: random.Random, learner: Learner, question: Question, correct: bool, new: bool) -> int:
    """Milliseconds to answer, log-normal around the type's median."""
    median = MEDIAN_SECONDS.get(question.type, 12.0) * learner.speed
    if not correct:
        median *= WRONG_SLOWDOWN
    if new:
        median *= NEW_SLOWDOWN
    return max(1200, int(1000 * rng.lognormvariate(math.log(median), TIME_SIGMA)))


def answer(rng: random.Random, learner: Learner, question: Question, knows: bool) -> object:
    """A response in the grading shape of `question`'s type: right if `knows`, else a plausible mistake.

    A mistake on a multi-part question (multiple select, several blanks,
    matching) is often partly right, as real mistakes are.
    """
    if isinstance(question, ChoiceQuestion):
        return _choice(rng, learner, question, knows)
    if isinstance(question, TrueFalseQuestion):
        return question.answer if knows else not question.answer
    if isinstance(question, ClozeQuestion):
        return _cloze(rng, question, knows)
    if isinstance(question, MatchingQuestion):
        return _matching(rng, question, knows)
    if isinstance(question, HotspotQuestion):
        if knows:
            return question.region
        return rng.choice([region for region in question.regions if region != question.region] or [question.region])
    raise TypeError(f"no simulated answer for question type {question.type!r}")


def _wrong_weight(learner: Learner, unsafe: bool) -> float:
    # A careless learner is drawn to the unsafe option (often the "confident"
    # one); a cautious one almost never picks it.
    return 3.0 * (1.0 - learner.caution) + 0.05 if unsafe else 1.0


def _choice(rng: random.Random, learner: Learner, question: ChoiceQuestion, knows: bool) -> object:
    right = [option.id for option in question.options if option.correct]
    wrong = [option for option in question.options if not option.correct]
    if question.type == "mcq":
        if knows or not wrong:
            return right[0]
        return rng.choices([o.id for o in wrong], weights=[_wrong_weight(learner, o.unsafe) for o in wrong])[0]
    if knows:
        return right
    picked = set(right)
    # Miss one right option, or add one wrong one, or both.
    if len(picked) > 1 and rng.random() < 0.6:
        picked.discard(rng.choice(right))
    if wrong and (rng.random() < 0.6 or picked == set(right)):
        picked.add(rng.choices([o.id for o in wrong], weights=[_wrong_weight(learner, o.unsafe) for o in wrong])[0])
    return [option.id for option in question.options if option.id in picked]


def _cloze(rng: random.Random, question: ClozeQuestion, knows: bool) -> list[str]:
    answers = [accepted[0] for accepted in question.blanks]
    if knows:
        return answers
    wrong = range(len(answers)) if len(answers) == 1 or rng.random() < 0.5 else [rng.randrange(len(answers))]
    for index in wrong:
        answers[index] = rng.choice(CLOZE_GUESSES)
    return answers


def _matching(rng: random.Random, question: MatchingQuestion, knows: bool) -> dict[str, str]:
    ids = [pair.id for pair in question.pairs]
    chosen = list(ids)
    if not knows and len(ids) > 1:
        # Swap two matches (the usual mistake), sometimes a second pair too.
        for _ in range(1 if rng.random() < 0.7 else 2):
            i, j = rng.sample(range(len(ids)), 2)
            chosen[i], chosen[j] = chosen[j], chosen[i]
    return dict(zip(ids, chosen))
