"""Benchmark: building the question bank, and planning the next item for a learner with 1,000 item states.

Run from the repository root: `.venv/bin/python -m benchmarks.bench_quizzes [--rounds N] [--write]`.
Prints a Markdown section for benchmarks/RESULTS.md ("## Quiz engine"); `--write` replaces that section
in the file (and nothing else). Targets (issue 4): the full bank in < 0.5 s; `plan_next` for 1,000 item
states in < 2 ms.

The real course has fewer than 1,000 questions, so the planner is timed on the real bank extended with
synthetic true/false items spread over its modules and lessons, and on cards made by actually reviewing
each item 1-5 times with fsrs over the previous 60 days (a realistic mix of learning, review and
relearning states, due dates and stabilities), not on hand-made dicts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from benchmarks.timing import timed
from course import load_course
from course.models import Course, TrueFalseQuestion
from quizzes.bank import Bank, build_bank
from quizzes.grading import grade
from quizzes.planner import Limits, forecast, plan_next
from quizzes.scheduling import Rating, review

RESULTS = Path(__file__).parent / "RESULTS.md"
HEADING = "## Quiz engine"
NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone.utc)
STATES = 1000


def extended(course: Course, total: int) -> Course:
    """`course` with synthetic true/false items added until it has at least `total` questions."""
    generated = len(build_bank(course)) - len(course.questions)
    lessons = [lesson for module in course.modules for lesson in course.lessons_of(module.id)]
    source = course.sources[0].id
    extra = []
    for index in range(max(0, total - generated - len(course.questions))):
        lesson = lessons[index % len(lessons)]
        extra.append(TrueFalseQuestion(
            id=f"bench-statement-{index:04d}", type="truefalse", lesson=lesson.id, stem=f"Statement {index}?",
            explanation="Benchmark filler.", sources=[source], mblex="ethics-laws", difficulty=1,
            answer=index % 2 == 0, reason="Benchmark filler."))
    modules = {**course.question_modules, **{q.id: next(l.module for l in lessons if l.id == q.lesson) for q in extra}}
    return course.model_copy(update={"questions": [*course.questions, *extra], "question_modules": modules})


def learner_cards(bank: Bank, count: int, seed: int = 4) -> dict[str, dict[str, Any]]:
    """Cards of `count` items, each reviewed 1-5 times with fsrs over the 60 days before NOW."""
    rng = random.Random(seed)
    cards: dict[str, dict[str, Any]] = {}
    for question in bank.questions[:count]:
        moment = NOW - dt.timedelta(days=rng.uniform(1, 60))
        card = None
        for _ in range(rng.randint(1, 5)):
            rating = rng.choices([Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY], [15, 10, 65, 10])[0]
            result = review(card, rating, moment, 0.9, fuzz=False)
            card = result.card
            moment = max(moment, result.due) + dt.timedelta(hours=rng.uniform(0, 48))
            if moment >= NOW:
                break
        assert card is not None
        cards[question.id] = card
    return cards


def ms(values: list[float]) -> tuple[float, float, float]:
    """Median, 99th percentile and max, in milliseconds."""
    ordered = sorted(values)
    return (statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.99) - 1] * 1000, ordered[-1] * 1000)


def run(rounds: int) -> str:
    """Measure everything and return the Markdown section."""
    course = load_course()
    start = time.perf_counter()
    bank = build_bank(course)
    cold = time.perf_counter() - start
    build = timed(lambda: build_bank(course), max(5, rounds // 20))

    big = build_bank(extended(course, STATES + 50))
    cards = learner_cards(big, STATES)
    states = {s: sum(1 for c in cards.values() if c["state"] == s) for s in (1, 2, 3)}
    due_now = sum(1 for c in cards.values() if dt.datetime.fromisoformat(c["due"]) <= NOW)
    first_module = big.modules[0].id
    first_lesson = big.course.lessons_of(first_module)[0].id
    last = next(iter(cards))
    cases = [
        ("whole course", Limits()),
        ("one module in scope", Limits(modules=frozenset({first_module}))),
        ("one lesson in scope", Limits(lesson=first_lesson)),
    ]
    start = time.perf_counter()
    plan_next(cards, big, Limits(), NOW, last_item=last)
    first_call = time.perf_counter() - start
    rows = []
    for label, limits in cases:
        rows.append((label, ms(timed(lambda limits=limits: plan_next(cards, big, limits, NOW, new_seen_today=3,
                                                                       last_item=last), rounds))))
    rows.append(("`forecast` 14 days", ms(timed(lambda: forecast(cards, NOW), rounds))))
    card = cards[last]
    rows.append(("`review` one card (fsrs)", ms(timed(lambda: review(card, Rating.GOOD, NOW, 0.9), rounds))))
    multi = next(q for q in bank.questions if q.type == "multi")
    picked = sorted(multi.correct_ids)  # type: ignore[attr-defined]
    rows.append(("`grade` a multiple select", ms(timed(lambda: grade(multi, picked), rounds))))

    b_median, _, b_max = ms(build)
    lines = [
        HEADING,
        "",
        f"`.venv/bin/python -m benchmarks.bench_quizzes --rounds {rounds}` (from the repository root), "
        f"Python {platform.python_version()}, fsrs {version('fsrs')}, 2-core machine shared with other "
        f"helpers' test runs (load average {os.getloadavg()[0]:.1f}); the p99/max columns show that load.",
        "",
        f"- Full bank: {len(bank)} questions ({len(course.questions)} authored, {len(bank) - len(course.questions)} "
        f"generated). `build_bank`: first build {cold * 1000:.0f} ms; then median {b_median:.1f} ms, "
        f"max {b_max:.1f} ms over {len(build)} builds. Target < 500 ms.",
        f"- Planner: a learner with {len(cards)} item states (learning {states[1]}, review {states[2]}, "
        f"relearning {states[3]}; {due_now} due now) in a bank of {len(big)} items. First call, building the "
        f"per-bank index: {first_call * 1000:.2f} ms. Target < 2 ms per call.",
        "",
        f"| call ({rounds} rounds) | median ms | p99 ms | max ms |",
        "|---|---|---|---|",
        *(f"| {label}: `plan_next` | {m:.3f} | {p:.3f} | {x:.3f} |" if "`" not in label
          else f"| {label} | {m:.3f} | {p:.3f} | {x:.3f} |" for label, (m, p, x) in rows),
        "",
    ]
    return "\n".join(lines)


def write(section: str) -> None:
    """Replace the "## Quiz engine" section of RESULTS.md (or append it), leaving the rest as it is."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    """Parse arguments, measure, print (and optionally write) the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()
    section = run(args.rounds)
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
