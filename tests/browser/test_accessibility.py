"""axe-core on every page, signed out and signed in, light and dark; screenshots of each.

Question pages of every type are reached by pinning the planner's choice, so
each form (and its answer page) is checked whatever the planner would pick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from quizzes.planner import Counts, Plan
from tests.browser.helpers import DESKTOP, PHONE, answer_by_mouse, check_axe, make_class, shoot, signup
from webapp.study import plan as learner

pytestmark = pytest.mark.browser

TYPES = ("mcq", "multi", "truefalse", "cloze", "matching", "hotspot")


def _visit(page: Any, url: str, name: str, artifacts: Path, tag: str, check: bool) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if check:
        check_axe(page, f"{name} ({tag})")
    shoot(page, artifacts, f"{name}-{tag}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(browser: Any, live_server: str, database_url: str, artifacts: Path,
                               monkeypatch: pytest.MonkeyPatch, scheme: str) -> None:
    from webapp import create_app

    code = make_class(database_url)
    course_app: Flask = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x", "TESTING": True})
    bank, course = course_app.extensions["bank"], course_app.extensions["course"]
    course_app.extensions["db_engine"].dispose()
    lesson = course.lessons[0]
    base = live_server
    for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
        tag = f"{viewport}-{scheme}"
        check = viewport == "desktop" or scheme == "light"  # axe at both widths in light, desktop in dark
        context = browser.new_context(viewport=size, color_scheme=scheme)
        page = context.new_page()
        for name, path in (("home", "/"), ("signup", "/signup"), ("login", "/login"), ("lessons", "/lessons/"),
                           ("lesson", f"/lessons/{lesson.module}/{lesson.id}"), ("not-found", "/no-such-page")):
            _visit(page, base + path, name, artifacts, tag, check)
        page.goto(base + "/signup")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state("networkidle")
        if check:
            check_axe(page, f"signup errors ({tag})")
        shoot(page, artifacts, f"signup-errors-{tag}")

        signup(page, base, email=f"{tag}@example.com")
        page.goto(base + "/join")
        page.get_by_label("Join code").fill("WRONG1")
        page.get_by_role("button", name="Join class").click()
        page.wait_for_load_state("networkidle")
        if check:
            check_axe(page, f"join error ({tag})")
        shoot(page, artifacts, f"join-error-{tag}")
        page.get_by_label("Join code").fill(code)
        page.get_by_role("button", name="Join class").click()
        _visit(page, base + "/join", "join", artifacts, tag, check)
        _visit(page, base + "/progress", "progress-empty", artifacts, tag, check)

        for kind in TYPES:
            question = next(q for q in bank.questions if q.type == kind)
            monkeypatch.setattr(learner, "plan_from", lambda *a, q=question, **k: Plan(q, Counts(12, 3, 7)))
            _visit(page, base + "/study/", f"study-{kind}", artifacts, tag, check)
            answer_by_mouse(page)
            page.wait_for_load_state("networkidle")
            if check:
                check_axe(page, f"answer {kind} ({tag})")
            shoot(page, artifacts, f"answer-{kind}-{tag}")
        monkeypatch.setattr(learner, "plan_from", lambda *a, **k: Plan(None, Counts(0, 0, 0)))
        _visit(page, base + "/study/", "done", artifacts, tag, check)
        monkeypatch.undo()
        _visit(page, base + "/progress", "progress", artifacts, tag, check)
        _visit(page, base + f"/lessons/{lesson.module}/{lesson.id}", "lesson-signed-in", artifacts, tag, check)
        context.close()
