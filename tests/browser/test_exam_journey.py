"""A student's 20-question practice exam on a phone: timer, flag and return, score by area, misses back in study."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.browser.helpers import PHONE, answer_by_mouse, make_class, shoot, signup
from webapp.platform.db import make_engine
from webapp.platform.models import Exam, utcnow
from webapp.questions import tokens

pytestmark = pytest.mark.browser


def missed_items(database_url: str) -> set[str]:
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        exam = session.scalar(select(Exam))
        assert exam is not None and exam.score is not None
        missed = {a.item_id for a in exam.answers if a.response is not None and (a.score or 0) < 1}
    engine.dispose()
    return missed


def test_twenty_question_exam_on_a_phone(browser: Any, live_server: str, database_url: str, artifacts: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_class(database_url)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    signup(page, live_server)
    page.goto(f"{live_server}/exams/")
    page.get_by_label("20 questions").check()
    page.get_by_label("Time limit in minutes (optional)").fill("30")
    page.get_by_role("button", name="See my readiness").click()
    page.wait_for_load_state()
    assert "predicted score" in page.content()
    page.get_by_role("button", name="Begin the exam").click()
    page.wait_for_load_state()

    timer = page.locator("[data-timer-value]")
    assert timer.is_visible()
    first = timer.inner_text()
    assert re.fullmatch(r"\d+:\d\d", first), first
    # Counting down (a loaded machine may delay a tick: the browser fixture's default timeout allows for it).
    page.wait_for_function("(first) => document.querySelector('[data-timer-value]').textContent !== first", arg=first)

    for position in range(1, 21):
        assert f"Question {position} of 20" in page.content()
        assert "Not quite" not in page.content() and 'id="verdict"' not in page.content()  # no feedback
        if position == 2:
            page.get_by_label("Flag this question to review later").check()
            shoot(page, artifacts, "exam-journey-phone-question")
        answer_by_mouse(page, submit="Save and next" if position < 20 else "Save and review")
    assert "Review your answers" in page.content() and "1 flagged" in page.content()
    # Return to the flagged question from the review list: still answered, still flagged.
    page.get_by_role("link", name="Question 2", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_label("Flag this question to review later").is_checked()
    assert page.locator(".grid-q.is-current.is-answered").count() == 1
    page.get_by_role("button", name="Review all answers").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Finish and see my score").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name=re.compile(r"Your score: \d+ %")).is_visible()
    assert page.get_by_text("Score by MBLEx content area").is_visible()
    assert page.get_by_text("predicted before you began").is_visible()
    shoot(page, artifacts, "exam-journey-phone-result")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the result page scrolls sideways ({width} px)"

    missed = missed_items(database_url)
    assert missed, "every answer was right by chance; nothing to bring back"
    # Two minutes later the missed questions (rated Again) are due, ahead of everything else.
    from webapp.study import views as study_views

    later = utcnow() + dt.timedelta(minutes=2)
    monkeypatch.setattr(study_views, "utcnow", lambda: later)
    page.get_by_role("link", name="Study what you missed").click()
    page.wait_for_load_state()
    token = page.locator('input[name="presentation"]').get_attribute("value")
    shown = tokens.verify("test-secret", token or "", _user_id(database_url))
    assert shown.item_id in missed
    context.close()


def _user_id(database_url: str) -> int:
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        exam = session.scalar(select(Exam))
        assert exam is not None
        uid = exam.user_id
    engine.dispose()
    return uid
