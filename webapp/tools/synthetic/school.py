"""The shape of a synthetic school: instructors, classes of 20-40, their settings and students.

Pure and drawn from the seed: the same seed, size and `now` give the same
school. Names come from a `Naming` so the big synthetic school and the small
first-run demo share the code and differ only in what they are called.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from webapp.tools.synthetic.learners import Learner, draw_learner

CLASS_MIN, CLASS_MAX = 20, 40
CLASSES_PER_INSTRUCTOR = 8


@dataclass(frozen=True)
class Naming:
    """Format strings for names and emails; `{seed}` and `{n}` (1-based) are filled in."""

    instructor_email: str = "synthetic-{seed}-instructor-{n}@example.com"
    instructor_name: str = "Synthetic Instructor {n}"
    student_email: str = "synthetic-{seed}-student-{n:05d}@example.com"
    student_name: str = "Synthetic Student {n}"
    class_name: str = "Synthetic class {n} (seed {seed})"


@dataclass(frozen=True)
class ClassPlan:
    """One class: who teaches it, its settings, when it started, its students (indexes)."""

    name: str
    instructor: int  # index into SchoolPlan.instructors
    desired_retention: float
    daily_new_limit: int
    modules: tuple[str, ...]  # empty: the whole course
    exam_date: dt.date | None
    start: dt.datetime
    students: tuple[int, ...]  # indexes into SchoolPlan.students


@dataclass(frozen=True)
class StudentPlan:
    """One student: name, email, traits and when they joined their class."""

    email: str
    name: str
    learner: Learner
    joined: dt.datetime
    seed: str  # the student's own random stream


@dataclass(frozen=True)
class SchoolPlan:
    """Everything to create before any study is simulated."""

    instructors: tuple[tuple[str, str], ...]  # (email, name)
    classes: tuple[ClassPlan, ...]
    students: tuple[StudentPlan, ...]


def class_sizes(rng: random.Random, students: int, classes: int | None = None) -> list[int]:
    """Split `students` into classes of 20-40 (one smaller class when there are under 20).

    Args:
        rng: the run's random stream.
        students: how many students in all.
        classes: how many classes (None: as many as makes classes of about 30).
    """
    if students <= 0:
        return []
    if classes is None:
        classes = max(1, round(students / 30))
        # Keep every class within 20-40 when the total allows it.
        classes = min(max(classes, math.ceil(students / CLASS_MAX)), max(1, students // CLASS_MIN))
    classes = max(1, min(classes, students))
    sizes = [students // classes + (1 if i < students % classes else 0) for i in range(classes)]
    low, high = (CLASS_MIN, CLASS_MAX) if min(sizes) >= CLASS_MIN and max(sizes) <= CLASS_MAX else (1, students)
    # Random moves between classes, within bounds, so sizes vary as real ones do.
    for _ in range(classes * 12):
        if classes < 2:
            break
        a, b = rng.sample(range(classes), 2)
        move = rng.randint(1, 4)
        if sizes[a] - move >= low and sizes[b] + move <= high:
            sizes[a] -= move
            sizes[b] += move
    return sizes


def plan_school(seed: int, students: int, days: int, now: dt.datetime, module_ids: list[str], *,
                classes: int | None = None, naming: Naming = Naming()) -> SchoolPlan:
    """Draw the school for `seed`: the first class starts `days` before `now`, the others within the first third."""
    rng = random.Random(f"{seed}:school")
    first_day = now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
    sizes = class_sizes(rng, students, classes)
    instructor_count = max(1, math.ceil(len(sizes) / CLASSES_PER_INSTRUCTOR)) if sizes else 0
    instructors = tuple(
        (naming.instructor_email.format(seed=seed, n=n), naming.instructor_name.format(seed=seed, n=n))
        for n in range(1, instructor_count + 1)
    )
    class_plans: list[ClassPlan] = []
    student_plans: list[StudentPlan] = []
    for index, size in enumerate(sizes):
        # The first class opened with the school; later ones within its first third.
        offset = 0 if index == 0 else rng.randint(0, max(0, days // 3))
        start = first_day + dt.timedelta(days=offset, hours=rng.uniform(8, 11))
        members = []
        for _ in range(size):
            n = len(student_plans) + 1
            joined = min(now, start + dt.timedelta(hours=rng.uniform(0, 72)))
            student_plans.append(StudentPlan(
                naming.student_email.format(seed=seed, n=n), naming.student_name.format(seed=seed, n=n),
                draw_learner(rng, days), joined, f"{seed}:student:{n}",
            ))
            members.append(n - 1)
        subset = rng.random() < 0.2 and len(module_ids) > 1
        modules = tuple(sorted(rng.sample(module_ids, rng.randint(1, len(module_ids) - 1)))) if subset else ()
        exam = (now + dt.timedelta(days=rng.randint(7, 60))).date() if rng.random() < 0.8 else None
        class_plans.append(ClassPlan(
            name=naming.class_name.format(seed=seed, n=index + 1),
            instructor=index // CLASSES_PER_INSTRUCTOR,
            desired_retention=rng.choice((0.85, 0.90, 0.90, 0.90, 0.92)),
            daily_new_limit=rng.choice((10, 15, 20, 20, 25, 30)),
            modules=modules, exam_date=exam, start=start, students=tuple(members),
        ))
    return SchoolPlan(instructors, tuple(class_plans), tuple(student_plans))
