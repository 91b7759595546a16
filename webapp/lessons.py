"""`/lessons` and `/lessons/<module>/<lesson>`: the course to read, with its sources."""

from __future__ import annotations

from flask import Blueprint, Flask, abort, current_app, render_template
from flask.typing import ResponseReturnValue

from course.models import Course
from webapp.lessontext import pubmed_url, render_lesson
from webapp.questionbank import get_bank

bp = Blueprint("lessons", __name__, url_prefix="/lessons")


def _course() -> Course:
    return current_app.extensions["course"]  # type: ignore[no-any-return]


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every module with its lessons in teaching order."""
    course, bank = _course(), get_bank()
    modules = [(module, course.lessons_of(module.id)) for module in sorted(course.modules, key=lambda m: (m.order, m.id))]
    counts = {lesson.id: len(bank.by_lesson(lesson.id)) for lesson in course.lessons}
    return render_template("lessons/index.html", modules=modules, counts=counts)


@bp.get("/<module_id>/<lesson_id>")
def show(module_id: str, lesson_id: str) -> ResponseReturnValue:
    """One lesson, its numbered sources, and a way to study its questions."""
    course = _course()
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


def init_app(app: Flask) -> None:
    """Register the lessons blueprint."""
    app.register_blueprint(bp)
