"""axe-core on every page, signed out and signed in, light and dark; screenshots of each.

One test per page and width, each loading the page once and looking at it in both
colour schemes (axe at both widths in light, on the desktop in dark; a screenshot
of every one). The server, the class and the learners the pages need are made once
per module. Question pages of every type are reached by pinning the planner's
choice, so each form (and its answer page) is checked whatever the planner would pick.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from course import Course
from quizzes.bank import Bank
from quizzes.planner import Counts, Plan
from tests.browser.helpers import (
    DESKTOP,
    TOUR_AXE,
    answer_by_mouse,
    look,
    make_class,
    signup,
    tour,
    tour_page,
    visit,
)
from webapp import create_app
from webapp.study import plan as learner

pytestmark = pytest.mark.browser

TYPES = ("mcq", "multi", "truefalse", "cloze", "matching", "hotspot")
SIGNED_OUT = ("home", "signup", "login", "lessons", "lesson", "not-found", "signup-errors")
SIGNED_IN = ("join-error", "join", "progress-empty", *(f"study-{kind}" for kind in TYPES),
             *(f"answer-{kind}" for kind in TYPES), "done", "progress", "lesson-signed-in")


@dataclass
class Site:
    """The module's server and what its pages need: the bank, a lesson, the class code and three learners' cookies."""

    base: str
    bank: Bank
    lesson: str
    code: str
    newcomer: list[dict[str, Any]]  # signed up, in no class
    learner: list[dict[str, Any]]  # in the class, nothing answered
    answerer: list[dict[str, Any]]  # in the class, has answered every question type

    def question(self, kind: str) -> Any:
        return next(q for q in self.bank.questions if q.type == kind)


@pytest.fixture(scope="module")
def site(browser: Any, module_live_server: str, module_database_url: str, course: Course) -> Site:
    code = make_class(module_database_url)
    course_app = create_app({"DATABASE_URL": module_database_url, "SECRET_KEY": "x", "TESTING": True, "COURSE": course})
    bank = course_app.extensions["bank"]
    course_app.extensions["db_engine"].dispose()
    lesson = course.lessons[0]
    base = module_live_server
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    cookies: dict[str, list[dict[str, Any]]] = {}
    for who in ("newcomer", "learner", "answerer"):
        signup(page, base, email=f"{who}@example.com")
        if who != "newcomer":
            _join(page, base, code)
        cookies[who] = context.cookies()
        context.clear_cookies()
    site = Site(base, bank, f"/lessons/{lesson.module}/{lesson.id}", code, **cookies)
    context.add_cookies(site.answerer)
    with pytest.MonkeyPatch.context() as patch:
        for kind in TYPES:
            _pin(patch, site.question(kind))
            visit(page, base + "/study/")
            answer_by_mouse(page)
    context.close()
    return site


def _join(page: Any, base: str, code: str) -> None:
    page.goto(base + "/join")
    page.get_by_label("Join code").fill(code)
    page.get_by_role("button", name="Join class").click()
    page.wait_for_load_state("load")


def _pin(monkeypatch: pytest.MonkeyPatch, question: Any) -> None:
    """The planner offers `question` (or, with None, nothing: the day's work is done)."""
    plan = Plan(question, Counts(12, 3, 7)) if question else Plan(None, Counts(0, 0, 0))
    monkeypatch.setattr(learner, "plan_from", lambda *a, **k: plan)


def _open(page: Any, site: Site, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bring `page` to the page called `name`, signed in or out as that page needs."""
    base = site.base
    signed_out = {"home": "/", "signup": "/signup", "login": "/login", "lessons": "/lessons/", "lesson": site.lesson,
                  "not-found": "/no-such-page"}
    signed_in = {"join": "/join", "progress-empty": "/progress", "progress": "/progress", "lesson-signed-in": site.lesson}
    if name in signed_out or name in signed_in:
        visit(page, base + {**signed_out, **signed_in}[name])
    elif name == "signup-errors":
        visit(page, base + "/signup")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state("load")
    elif name == "join-error":
        visit(page, base + "/join")
        page.get_by_label("Join code").fill("WRONG1")
        page.get_by_role("button", name="Join class").click()
        page.wait_for_load_state("load")
    elif name.startswith("study-"):
        _pin(monkeypatch, site.question(name.removeprefix("study-")))
        visit(page, base + "/study/")
    elif name.startswith("answer-"):
        _pin(monkeypatch, site.question(name.removeprefix("answer-")))
        visit(page, base + "/study/")
        answer_by_mouse(page)
        page.wait_for_load_state("load")
    elif name == "done":
        _pin(monkeypatch, None)
        visit(page, base + "/study/")
    else:
        raise AssertionError(name)


@tour(SIGNED_OUT + SIGNED_IN)
def test_every_page_passes_axe(browser: Any, site: Site, artifacts: Path, monkeypatch: pytest.MonkeyPatch,
                               name: str, viewport: str) -> None:
    cookies = (site.newcomer if name == "join-error" else site.answerer if name.startswith("answer-") or name == "progress"
               else site.learner if name in SIGNED_IN else [])
    with tour_page(browser, viewport, cookies) as page:
        _open(page, site, name, monkeypatch)
        look(page, artifacts, f"{name}-{viewport}", axe=TOUR_AXE[viewport])
