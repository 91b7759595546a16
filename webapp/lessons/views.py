"""`/lessons` and `/lessons/<module>/<lesson>`: the course to read, with its sources."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue

from webapp.lessons import bp
from webapp.platform.content import get_bank, get_course
from webapp.platform.markdown import pubmed_url, render_lesson


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every module with its lessons in teaching order."""
    course, bank = get_course(), get_bank()
    modules = [(module, course.lessons_of(module.id)) for module in sorted(course.modules, key=lambda m: (m.order, m.id))]
    counts = {lesson.id: len(bank.by_lesson(lesson.id)) for lesson in course.lessons}
    return render_template("lessons/index.html", modules=modules, counts=counts)


@bp.get("/<module_id>/<lesson_id>")
def show(module_id: str, lesson_id: str) -> ResponseReturnValue:
    """One lesson, its numbered sources, and a way to study its questions."""
    course = get_course()
    lesson = next((l for l in course.lessons if l.id == lesson_id and l.module == module_id), None)
    if lesson is None:
        abort(404)
    module = course.module(module_id)
    lessons = course.lessons_of(module_id)
    position = lessons.index(lesson)
    rendered = render_lesson(lesson, {source.id: source for source in course.sources})
    return render_template(
        "lessons/lesson.html",
        module=module,
        lesson=lesson,
        rendered=rendered,
        pubmed_url=pubmed_url,
        previous=lessons[position - 1] if position > 0 else None,
        following=lessons[position + 1] if position + 1 < len(lessons) else None,
        question_count=len(get_bank().by_lesson(lesson.id)),
    )

