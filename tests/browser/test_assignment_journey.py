"""Instructors set work and answer reports; students complete it and report a question (Chromium)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, answer_by_mouse, join_class, log_in, make_class, shoot, signup

pytestmark = pytest.mark.browser
TEACHER_PASSWORD = "x" * 12  # tests.browser.helpers.make_class's instructor
# A lesson whose questions test different objectives, so all of them can be met on one day (siblings wait a day).
MODULE_TITLE = "The neck and serious adverse events"
LESSON_TITLE = "The neck anatomy a therapist needs"
LESSON_ID = "neck-anatomy-for-therapists"


def _lesson_size() -> int:
    """How many questions the assigned lesson has in the bank (it changes with the content)."""
    from course import load_course
    from quizzes.bank import build_bank

    return sum(1 for question in build_bank(load_course()).questions if question.lesson == LESSON_ID)


def open_class(page: Any, base: str) -> None:
    page.goto(f"{base}/instructor/")
    page.get_by_role("link", name="Spring cohort").first.click()
    page.wait_for_load_state()


def join(page: Any, base: str, code: str) -> None:
    join_class(page, base, code)


def test_assignment_set_completed_seen_and_exported(browser: Any, live_server: str, database_url: str, artifacts: Path) -> None:
    code = make_class(database_url)
    teacher = browser.new_context(viewport=DESKTOP)
    tpage = teacher.new_page()
    log_in(tpage, live_server, "teacher@example.com", TEACHER_PASSWORD)
    open_class(tpage, live_server)
    tpage.get_by_role("link", name="Assignments").click()
    tpage.wait_for_load_state()
    tpage.get_by_label("Title", exact=True).fill("Neck anatomy first")
    tpage.get_by_label("Study modules or lessons").check()
    tpage.get_by_label("Due date", exact=True).fill((dt.date.today() + dt.timedelta(days=2)).isoformat())
    tpage.get_by_label(f"{MODULE_TITLE}: {LESSON_TITLE}", exact=True).check()  # a checkbox: one tap, no Ctrl
    tpage.get_by_role("button", name="Set assignment").click()
    tpage.wait_for_load_state()
    assert "Assignment “Neck anatomy first” set." in tpage.content()
    assert "0 / 0" in tpage.content()  # no students yet

    student = browser.new_context(viewport=PHONE)
    page = student.new_page()
    signup(page, live_server)
    join(page, live_server, code)
    page.goto(f"{live_server}/")
    size = _lesson_size()
    assert "Neck anatomy first" in page.content() and f"0 of {size} questions met" in page.content()
    shoot(page, artifacts, "assignment-journey-phone-home")
    page.goto(f"{live_server}/study/")
    assert "its questions come first" in page.content()
    for _ in range(size):
        answer_by_mouse(page)
        page.get_by_role("link", name="Next question →").click()
        page.wait_for_load_state()
    page.goto(f"{live_server}/")
    assert page.locator(".assignments .badge", has_text="Complete").is_visible()

    tpage.goto(tpage.url)
    tpage.get_by_role("link", name="Neck anatomy first").click()
    tpage.wait_for_load_state()
    assert tpage.locator("td .badge", has_text="Complete").is_visible()
    with tpage.expect_download() as download_info:
        tpage.get_by_role("link", name="Download CSV for the gradebook").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text())))
    assert rows[0] == ["Email address", "Full name", "Neck anatomy first", "Neck anatomy first (feedback)"]
    assert rows[1][:3] == ["sam@example.com", "Sam", "100"] and " met; complete " in rows[1][3]
    teacher.close()
    student.close()


def test_a_learner_reports_and_the_instructor_resolves(browser: Any, live_server: str, database_url: str, artifacts: Path) -> None:
    code = make_class(database_url)
    student = browser.new_context(viewport=PHONE)
    page = student.new_page()
    signup(page, live_server)
    join(page, live_server, code)
    page.goto(f"{live_server}/study/")
    answer_by_mouse(page)
    page.get_by_role("link", name="Report a problem with this question").click()
    page.wait_for_load_state()
    page.get_by_label("The wording is unclear").check()
    page.get_by_label("Tell us more (optional)").fill("<b>Which</b> side is meant?")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()
    assert "Thank you" in page.content() and page.get_by_text("<b>Which</b> side is meant?").is_visible()

    teacher = browser.new_context(viewport=DESKTOP)
    tpage = teacher.new_page()
    log_in(tpage, live_server, "teacher@example.com", TEACHER_PASSWORD)
    open_class(tpage, live_server)
    tpage.get_by_role("link", name="Reports").click()
    tpage.wait_for_load_state()
    assert tpage.get_by_text("<b>Which</b> side is meant?").is_visible()
    tpage.get_by_label("Dismissed (the question is right as it is)").check()
    tpage.get_by_label("Reply to the student").fill("The left side, as the stem says.")
    tpage.get_by_role("button", name="Save").click()
    tpage.wait_for_load_state()
    assert "No open reports." in tpage.content() and "Dismissed" in tpage.content()

    page.goto(f"{live_server}/report/mine")
    assert "Dismissed" in page.content() and "The left side, as the stem says." in page.content()
    shoot(page, artifacts, "report-journey-phone-mine")
    teacher.close()
    student.close()
