"""What the learner and the instructor see of refused and left-out Anki answers, in Chromium: axe and screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from course import Course
from tests.browser.helpers import DESKTOP, PHONE, check_axe, log_in, make_class, shoot, signup
from tests.webapp.ankisync.anki_helpers import forged_history
from webapp.platform.db import make_engine
from webapp.platform.models import SchoolClass, User

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def forged(course: Course, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real collection with forged answers added (future, before the note, overlapping, too fast)."""
    path = tmp_path_factory.mktemp("anki-forged") / "forged.apkg"
    path.write_bytes(forged_history(path.parent / "collection", course))
    return path


def _ids(database_url: str, email: str) -> tuple[int, int]:
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        class_id = session.scalar(select(SchoolClass.id))
        student = session.scalar(select(User.id).where(User.email == email))
    engine.dispose()
    assert class_id is not None and student is not None
    return class_id, student


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_refusals_and_differences_are_shown_and_pass_axe(browser: Any, live_server: str, database_url: str,
                                                         forged: Path, artifacts: Path, scheme: str) -> None:
    code = make_class(database_url, join_code=f"CNT{scheme[:2].upper()}")
    for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
        tag = f"{viewport}-{scheme}"
        email = f"count-{tag}@example.com"
        context = browser.new_context(viewport=size, color_scheme=scheme)
        page = context.new_page()
        signup(page, live_server, email=email)
        page.goto(f"{live_server}/join")
        page.get_by_label("Join code").fill(code)
        page.get_by_role("button", name="Join class").click()
        page.wait_for_load_state()

        page.goto(f"{live_server}/progress")
        page.get_by_label("Anki export (.apkg or .colpkg)").set_input_files(str(forged))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_load_state()
        page.get_by_text(re.compile(r"\d+ answers refused")).wait_for()  # the second learner: all of it another account's
        check_axe(page, f"import with refusals ({tag})")
        shoot(page, artifacts, f"anki-refusals-{tag}")

        page.goto(f"{live_server}/progress")
        page.get_by_text("Where this app's schedule differs from Anki's, and why").click()
        assert page.get_by_text("at least 95 % recall", exact=False).is_visible()
        check_axe(page, f"progress with the differences open ({tag})")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"/progress scrolls sideways at {size['width']} px ({width} px wide)"
        page.locator("#anki").screenshot(path=str(artifacts / f"anki-differs-{tag}.png"))
        context.close()

        class_id, student = _ids(database_url, email)
        context = browser.new_context(viewport=size, color_scheme=scheme)
        page = context.new_page()
        log_in(page, live_server, "teacher@example.com", "x" * 12)
        page.goto(f"{live_server}/instructor/classes/{class_id}/students/{student}")
        assert page.get_by_text(re.compile(r"\d+ answers from Anki refused")).is_visible()
        assert page.locator(".badge-anki").first.inner_text() == "Anki · self-reported"
        check_axe(page, f"instructor's student page with refusals ({tag})")
        page.locator("section[aria-labelledby='anki-heading']").screenshot(
            path=str(artifacts / f"anki-instructor-panel-{tag}.png"))
        shoot(page, artifacts, f"anki-instructor-student-{tag}")
        page.goto(f"{live_server}/instructor/classes/{class_id}/settings")
        box = page.get_by_label("Answers from Anki count toward assignments")
        assert box.is_checked()
        check_axe(page, f"class settings ({tag})")
        box.locator("xpath=ancestor::div[contains(@class, 'field')][1]").screenshot(
            path=str(artifacts / f"anki-class-setting-{tag}.png"))
        shoot(page, artifacts, f"anki-class-settings-{tag}")
        context.close()
