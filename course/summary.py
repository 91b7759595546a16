"""What the course holds, as plain text for `massage-course check`."""

from __future__ import annotations

from collections import Counter

from course.models import Course


def summary(course: Course) -> str:
    """A plain-text summary: modules, lessons, facts, authored questions by type and module, sources."""
    lines = [f"{course.title} (release {course.release})"]
    by_module = Counter(course.question_modules.values())
    for module in course.modules:
        lessons = len(course.lessons_of(module.id))
        lines.append(f"  {module.id}: {lessons} lessons, {by_module.get(module.id, 0)} authored questions")
    by_type = Counter(question.type for question in course.questions)
    lines.append(f"lessons: {len(course.lessons)}")
    lines.append(f"facts: {len(course.sites)} endangerment sites, "
                 f"{sum(len(site.structures) for site in course.sites)} structures at risk")
    types = ", ".join(f"{kind} {count}" for kind, count in sorted(by_type.items())) or "none"
    lines.append(f"authored questions: {len(course.questions)} ({types})")
    lines.append(f"sources: {len(course.sources)}")
    return "\n".join(lines)
