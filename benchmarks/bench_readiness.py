"""Readiness calibration: predicted against actual practice-exam scores over the synthetic school.

Run from the repository root:

    .venv/bin/python -m benchmarks.bench_readiness --students 300 --days 90 --length 50

Every student of a synthetic school (`webapp.tools.synthetic.school.plan_school`)
studies day by day through the real planner and scheduler
(`webapp.tools.synthetic.simulate.simulate_student`). At the end of the history each
takes one practice exam drawn by `quizzes.exams.draw_exam` over their class's
modules. Before it, `quizzes.exams.predict_score` predicts the score from their
FSRS cards (unseen items at `UNSEEN_PRIOR`), exactly as the web app does; then the
learner model answers each question (recall drawn from the item's retrievability,
the learner's ability and the item's difficulty, as during study) and
`quizzes.grading.grade` scores it. The figure is the mean absolute error between
predicted and actual score (`quizzes.exams.calibration_mae`), with the mean
signed error (bias) and the MAE by how much of the exam the student had studied.
Nothing touches a database; the same seed gives the same figures.

With `--database-url URL` it also reports the same figure for the practice
exams really taken in that database (the pairs every finished exam keeps:
`webapp.exams.service.calibration_pairs`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics

from course import load_course
from quizzes.bank import build_bank
from quizzes.exams import UNSEEN_PRIOR, calibration_mae, draw_exam, predict_score
from quizzes.grading import grade
from quizzes.scheduling import retrievability
from webapp.classes.settings import StudySettings
from webapp.tools.synthetic.learners import answer, recall_probability
from webapp.tools.synthetic.school import plan_school
from webapp.tools.synthetic.simulate import Student, item_offsets, simulate_student

NOW = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.timezone.utc)


def main() -> None:
    """Simulate the school, give every student one exam, print the calibration figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--length", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="also report the exams stored in this database")
    args = parser.parse_args()
    if args.database_url:
        stored_pairs(args.database_url)
    bank = build_bank(load_course())
    offsets = item_offsets(bank, args.seed)
    school = plan_school(args.seed, args.students, args.days, NOW, [m.id for m in bank.modules])
    pairs: list[tuple[float, float]] = []
    oracle: list[tuple[float, float]] = []  # the learner model's own chances against the same scores
    studied: list[float] = []
    for school_class in school.classes:
        settings = StudySettings(school_class.desired_retention, school_class.daily_new_limit,
                                 frozenset(school_class.modules) or None)
        for index in school_class.students:
            plan = school.students[index]
            student = Student(index + 1, plan.seed, plan.learner, settings, plan.joined)
            history = simulate_student(student, bank, offsets, NOW)
            cards = {state["item_id"]: state["card"] for state in history.states}
            items = draw_exam(bank, args.length, f"{plan.seed}:exam", school_class.modules or None)
            predicted = predict_score(cards, items, NOW)
            rng = random.Random(f"{plan.seed}:exam-answers")
            points = chances = 0.0
            for item in items:
                question = bank.get(item)
                assert question is not None
                card = cards.get(item)
                recall = None if card is None else retrievability(card, NOW)
                chance = recall_probability(plan.learner, question, offsets[item], recall)
                chances += chance
                knows = rng.random() < chance
                points += grade(question, answer(rng, plan.learner, question, knows)).score
            pairs.append((predicted, points / len(items)))
            oracle.append((chances / len(items), points / len(items)))
            studied.append(sum(item in cards for item in items) / len(items))
    errors = [predicted - actual for predicted, actual in pairs]
    print(f"students {len(pairs)}, {args.days} days of study, {args.length}-question exams, seed {args.seed}, "
          f"unseen prior {UNSEEN_PRIOR:.2f}")
    print("| students | exam length | MAE (points of score) | mean signed error | mean predicted | mean actual "
          "| MAE of the learner model's own chances (noise floor) |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(pairs)} | {args.length} | {calibration_mae(pairs) * 100:.1f} | {statistics.fmean(errors) * 100:+.1f} "
          f"| {statistics.fmean(p for p, _ in pairs) * 100:.1f} % | {statistics.fmean(a for _, a in pairs) * 100:.1f} % "
          f"| {calibration_mae(oracle) * 100:.1f} |")
    print()
    print("| share of the exam studied | students | MAE | mean signed error |")
    print("|---|---|---|---|")
    for low, high in ((0.0, 0.25), (0.25, 0.75), (0.75, 1.01)):
        group = [(p, a) for (p, a), s in zip(pairs, studied) if low <= s < high]
        if group:
            bias = statistics.fmean(p - a for p, a in group)
            print(f"| {low:.0%}–{min(high, 1):.0%} | {len(group)} | {calibration_mae(group) * 100:.1f} | {bias * 100:+.1f} |")


def stored_pairs(database_url: str) -> None:
    """Print the calibration of the practice exams finished in a database."""
    from sqlalchemy.orm import sessionmaker

    from webapp.exams.service import calibration_pairs
    from webapp.platform.db import make_engine

    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        pairs = calibration_pairs(session)
    engine.dispose()
    print(f"stored exams: {len(pairs)}, MAE {calibration_mae(pairs) * 100:.1f} points")


if __name__ == "__main__":
    main()
