"""From a question to the lesson section that teaches it: one link on every answer.

A question names its lesson; the section is the `## heading` whose cited
sources and words best match the question and its objective. Sources weigh
most (a section cites what it teaches), words break ties; a lesson with no
section that matches at all is linked at its top.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import url_for

from course.models import Course, Lesson
from quizzes.questions import ChoiceQuestion, Question
from webapp.platform.content import get_course
from webapp.platform.markdown import section_anchor

# Words too common in this course to tell one section from another.
_COMMON = frozenset(
    "the a an and or of to in on at for with is are be by it its this that from as not no what which when who how "
    "you your client clients massage therapist therapists should would could may can do does most more".split()
)


@dataclass(frozen=True)
class LessonLink:
    """Where to read about a question: the lesson, its section (None: the top) and the URL with the anchor."""

    lesson_title: str
    section: str | None
    url: str


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]{3,}", text.lower()) if word not in _COMMON}


def _question_text(question: Question) -> str:
    parts = [question.stem, question.explanation]
    if isinstance(question, ChoiceQuestion):
        parts += [option.text for option in question.options if option.correct]
    return " ".join(parts)


def _best_section(lesson: Lesson, sources: set[str], words: set[str]) -> str | None:
    best: tuple[int, int] = (0, 0)
    heading: str | None = None
    for section in lesson.sections:
        if section.heading == "Introduction":
            continue
        score = (len(sources & set(section.sources)), len(words & _words(section.heading)))
        if score > best:
            best, heading = score, section.heading
    return heading


def section_for(course: Course, question: Question) -> tuple[Lesson, str | None] | None:
    """The question's lesson and the heading of its best-matching section (None: no section matched)."""
    lesson = next((l for l in course.lessons if l.id == question.lesson and l.module == question.module), None)
    if lesson is None:
        return None
    sources = set(question.sources)
    words = _words(_question_text(question))
    objective = next((o for o in course.objectives if o.id == question.objective), None) if question.objective else None
    if objective is not None:
        sources |= set(objective.sources)
        words |= _words(objective.text)
    return lesson, _best_section(lesson, sources, words)


def lesson_link(question: Question) -> LessonLink | None:
    """The link from an answer to the lesson section that teaches it (None when its lesson is gone)."""
    found = section_for(get_course(), question)
    if found is None:
        return None
    lesson, heading = found
    anchor = section_anchor(heading) if heading else None
    url = url_for("lessons.show", module_id=lesson.module, lesson_id=lesson.id, _anchor=anchor)
    return LessonLink(lesson.title, heading, url)
