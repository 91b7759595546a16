"""Account pages in Chromium: the instructor's reset link (copy button), the reset page, the learner's account page.

axe-core on each, light and dark (one walk per width, each page looked at in both), at 375 and 1280 px;
screenshots in tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from tests.browser.helpers import DESKTOP, PHONE, log_in, look
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import make_engine
from webapp.platform.models import Enrollment, SchoolClass, User

pytestmark = pytest.mark.browser
TEACHER_PASSWORD = "instructor password"
NEW_PASSWORD = "my brand new passphrase"


def _people(database_url: str, students: list[str]) -> tuple[int, dict[str, int]]:
    """An instructor, a class and `students` in it; returns (class id, student ids by email)."""
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        teacher = User(email="lee@example.com", display_name="Lee Instructor", role="instructor",
                       password_hash=hash_password(TEACHER_PASSWORD))
        session.add(teacher)
        session.flush()
        school_class = SchoolClass(name="Evening group", instructor_id=teacher.id, join_code="EVE123", modules=[])
        session.add(school_class)
        session.flush()
        ids = {}
        for email in students:
            student = User(email=email, display_name=f"Student {email.split('@')[0]}", password_hash=hash_password("forgotten password"))
            session.add(student)
            session.flush()
            session.add(Enrollment(class_id=school_class.id, user_id=student.id))
            ids[email] = student.id
        session.commit()
        class_id = school_class.id
    engine.dispose()
    return class_id, ids


def test_reset_link_and_account_pages(browser: Any, live_server: str, database_url: str, artifacts: Path) -> None:
    views = (("desktop", DESKTOP), ("phone", PHONE))
    emails = [f"{viewport}@example.com" for viewport, _ in views]
    class_id, ids = _people(database_url, emails)
    base = live_server
    for (viewport, size), email in zip(views, emails):
        teacher = browser.new_context(viewport=size)
        teacher.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = teacher.new_page()
        log_in(page, base, "lee@example.com", TEACHER_PASSWORD)
        page.goto(f"{base}/instructor/classes/{class_id}/students/{ids[email]}")
        look(page, artifacts, f"instructor-student-reset-button-{viewport}")
        page.get_by_role("button", name="Make a password reset link").click()
        look(page, artifacts, f"instructor-reset-link-{viewport}")
        link = page.get_by_label("Reset link").input_value()
        assert "/account/reset/" in link
        copy = page.get_by_role("button", name="Copy link")
        assert copy.is_visible(), "copy.js should reveal the copy button"
        copy.click()
        status = page.locator("#copy-status")
        status.filter(has_text="Link").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == link
        look(page, artifacts, f"instructor-reset-link-copied-{viewport}", axe=())
        teacher.close()

        learner = browser.new_context(viewport=size)
        page = learner.new_page()
        page.goto(link)
        look(page, artifacts, f"reset-form-{viewport}")
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Repeat the new password").fill(NEW_PASSWORD + "!")
        page.get_by_role("button", name="Set new password").click()
        look(page, artifacts, f"reset-form-errors-{viewport}")
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set new password").click()
        page.wait_for_load_state()
        assert page.url.endswith("/login")
        page.goto(link)
        look(page, artifacts, f"reset-used-{viewport}")
        assert page.get_by_role("heading", name="This link no longer works").is_visible()

        log_in(page, base, email, NEW_PASSWORD)
        page.get_by_role("link", name="Account").click()
        look(page, artifacts, f"account-{viewport}")
        page.get_by_label("Current password").fill("wrong password")
        page.get_by_label("New password", exact=True).fill("short")
        page.get_by_label("Repeat the new password").fill("short")
        page.get_by_role("button", name="Change password").click()
        look(page, artifacts, f"account-errors-{viewport}")
        with page.expect_download() as download:
            page.get_by_role("link", name="Download my data (JSON)").click()
        assert '"format": "massage-safety-course/account-export/1"' in Path(download.value.path()).read_text()
        learner.close()
