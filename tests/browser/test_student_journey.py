"""Sign up, join a class, study ten questions by mouse and by keyboard, see progress change.

The one browser journey run on PostgreSQL as well as SQLite (see tests/browser/conftest.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ON_EVERY_DATABASE
from tests.browser.helpers import (
    DESKTOP,
    PHONE,
    answer_by_keyboard,
    answer_by_mouse,
    join_class,
    make_class,
    shoot,
    signup,
)

pytestmark = pytest.mark.browser


@ON_EVERY_DATABASE
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_signup_join_study_ten_and_progress(browser: Any, live_server: str, database_url: str, artifacts: Path, viewport: dict[str, int]) -> None:
    code = make_class(database_url)
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    tag = "phone" if viewport is PHONE else "desktop"
    signup(page, live_server)
    assert "/study" in page.url

    page.goto(f"{live_server}/progress")
    assert "not answered any questions yet" in page.content()

    join_class(page, live_server, code.lower())
    assert "You are in “Spring cohort”" in page.content()

    page.goto(f"{live_server}/study/")
    kinds = []
    for n in range(10):
        keyboard = n % 2 == 1
        kinds.append(answer_by_keyboard(page) if keyboard else answer_by_mouse(page))
        verdict = page.locator("#verdict")
        assert verdict.is_visible(), f"no answer page after question {n + 1} ({kinds[-1]})"
        assert page.get_by_role("link", name="Next question →").is_visible()
        if n == 0:
            shoot(page, artifacts, f"journey-{tag}-answer")
        if keyboard:
            with page.expect_navigation():
                page.keyboard.press("Enter")
        else:
            page.get_by_role("link", name="Next question →").click()
        page.wait_for_load_state()

    page.goto(f"{live_server}/progress")
    assert page.locator(".stat", has_text="answered today").locator(".stat-value").inner_text() == "10"
    assert "not answered any questions yet" not in page.content()
    page.wait_for_function("document.querySelectorAll('canvas').length === 2 && window.Chart !== undefined")
    shoot(page, artifacts, f"journey-{tag}-progress")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"page scrolls sideways at {viewport['width']} px ({width})"
    context.close()
