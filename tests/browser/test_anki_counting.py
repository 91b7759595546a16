"""What the learner and the instructor see of refused and left-out Anki answers, in Chromium: axe and screenshots."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from course import Course
from tests.browser.helpers import VIEWPORTS, join_class, log_in, look, make_class, signup
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


def test_refusals_and_differences_are_shown_and_pass_axe(browser: Any, live_server: str, database_url: str,
                                                         forged: Path, artifacts: Path) -> None:
    code = make_class(database_url, join_code="COUNT1")
    for viewport, size in VIEWPORTS.items():
        email = f"count-{viewport}@example.com"
        context = browser.new_context(viewport=size)
        page = context.new_page()
        signup(page, live_server, email=email)
        join_class(page, live_server, code)

        page.goto(f"{live_server}/progress")
        page.get_by_label("Anki export (.apkg or .colpkg)").set_input_files(str(forged))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_load_state()
        page.get_by_text(re.compile(r"\d+ answers refused")).wait_for()  # the second learner: all of it another account's
        look(page, artifacts, f"anki-refusals-{viewport}")

        page.goto(f"{live_server}/progress")
        page.get_by_text("Where this app's schedule differs from Anki's, and why").click()
        assert page.get_by_text("at least 95 % recall", exact=False).is_visible()
        look(page, artifacts, f"anki-differs-{viewport}", shots={f"anki-differs-{viewport}": page.locator("#anki")})

        class_id, student = _ids(database_url, email)
        context.clear_cookies()  # the same context, now the instructor's
        log_in(page, live_server, "teacher@example.com", "x" * 12)
        page.goto(f"{live_server}/instructor/classes/{class_id}/students/{student}")
        assert page.get_by_text(re.compile(r"\d+ answers from Anki refused")).is_visible()
        assert page.locator(".badge-anki").first.inner_text() == "Anki · self-reported"
        look(page, artifacts, f"anki-instructor-student-{viewport}",
             shots={f"anki-instructor-panel-{viewport}": page.locator("section[aria-labelledby='anki-heading']"),
                    f"anki-instructor-student-{viewport}": page})
        page.goto(f"{live_server}/instructor/classes/{class_id}/settings")
        box = page.get_by_label("Answers from Anki count toward assignments")
        assert box.is_checked()
        look(page, artifacts, f"anki-class-settings-{viewport}",
             shots={f"anki-class-setting-{viewport}": box.locator("xpath=ancestor::div[contains(@class, 'field')][1]"),
                    f"anki-class-settings-{viewport}": page})
        context.close()
