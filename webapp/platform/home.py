"""The landing page and the navigation every page shares."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from webapp.platform.content import get_course

bp = Blueprint("home", __name__)

# (endpoint, label, who sees it): one place decides the navigation.
NAV: tuple[tuple[str, str, str], ...] = (
    ("home.index", "Home", "anyone"),
    ("study.index", "Study", "signed-in"),
    ("lessons.index", "Lessons", "anyone"),
    ("progress.index", "Progress", "signed-in"),
    ("exams.index", "Practice exams", "signed-in"),
    ("downloads.index", "Anki decks", "anyone"),
    ("instructor.index", "My classes", "instructor"),
    ("classes.join", "Classes", "student"),
    ("account.index", "Account", "signed-in"),
    ("auth.login", "Log in", "signed-out"),
    ("auth.signup", "Sign up", "signed-out"),
)


def nav_links() -> list[tuple[str, str]]:
    """The links the current visitor should see, in order."""
    signed_in = bool(getattr(current_user, "is_authenticated", False))
    instructor = signed_in and getattr(current_user, "is_instructor", False)
    # An instructor sees "My classes" and not the students' "Classes" (joining one).
    allowed = {"anyone", "signed-in" if signed_in else "signed-out"} | (
        {"instructor"} if instructor else {"student"} if signed_in else set())
    return [(endpoint, label) for endpoint, label, who in NAV if who in allowed and endpoint in current_app.view_functions]


@bp.get("/")
def index() -> ResponseReturnValue:
    """The course at a glance, with the way in."""
    course = get_course()
    bank = current_app.extensions["bank"]
    lessons = {module.id: len(course.lessons_of(module.id)) for module in course.modules}
    questions = {module.id: len(bank.by_module(module.id)) for module in course.modules}
    return render_template("home.html", course=course, lessons=lessons, questions=questions)


def init_app(app: Flask) -> None:
    """Register the landing page and the nav helper for templates."""
    app.register_blueprint(bp)
    app.jinja_env.globals["nav_links"] = nav_links
