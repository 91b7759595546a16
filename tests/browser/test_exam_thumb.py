"""A practice exam by thumb at 375 × 740: "Save and next" in the first screen on every question, the results
marking each unsafe pick, a retake of the misses; and the keyboard's way back after an answer error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from course import Course
from quizzes.bank import build_bank
from quizzes.bodymap import locate_spots
from quizzes.grading import chosen_options
from quizzes.planner import Counts, Plan
from quizzes.questions import ChoiceQuestion, ClozeQuestion, HotspotQuestion, MatchingQuestion, Question
from tests.browser.helpers import DESKTOP, check_axe, shoot, signup
from webapp.platform.db import make_engine
from webapp.platform.models import Exam
from webapp.questions import tokens
from webapp.study import plan as learner

pytestmark = pytest.mark.browser

THUMB = {"width": 375, "height": 740}


def _shown(page: Any, user_id: int) -> str:
    token = page.locator('#question-form input[name="presentation"]').get_attribute("value")
    return tokens.verify("test-secret", token or "", user_id).item_id


def _save_in_first_screen(page: Any, name: str) -> None:
    """The button is inside the viewport and nothing covers its middle."""
    box = page.get_by_role("button", name=name).bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= THUMB["height"], box
    on_top = page.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y); return e && (e.closest('button') || e).textContent; }",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2])
    assert name in (on_top or ""), on_top


def _tap_answer(page: Any, question: Question) -> int:
    """Answer by taps, an unsafe option where there is one; returns the taps used."""
    form = page.locator("#question-form")
    if isinstance(question, ChoiceQuestion):
        option = next((o for o in question.options if o.unsafe), question.options[0])
        form.locator(f'label[for="choice-{option.id}"]').tap()
        return 1
    if isinstance(question, ClozeQuestion):
        for blank in form.locator("input.blank").all():
            blank.tap()
            blank.fill("pressure")
        return len(question.blanks)
    if isinstance(question, MatchingQuestion):
        for select_box in form.locator(".matching select").all():
            select_box.select_option(index=1)
        return 2 * len(question.pairs)  # open the list, pick
    if isinstance(question, HotspotQuestion):
        spot = locate_spots(question.regions)[0]
        taps = 1
        if not page.locator(f'label.spot[data-spot="{spot.number}"]').first.is_visible():
            page.get_by_role("button", name=f"{spot.view.capitalize()} view").tap()
            taps += 1
        page.locator(f'label.spot[data-spot="{spot.number}"]').first.tap()
        return taps
    form.locator("label.option").first.tap()  # true or false
    return 1


def _exam(database_url: str) -> tuple[Exam, int]:
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        exam = session.scalars(select(Exam).order_by(Exam.id)).first()
        assert exam is not None
        _ = [a.response for a in exam.answers]
        session.expunge_all()
    engine.dispose()
    return exam, exam.user_id


def test_a_practice_exam_by_thumb(browser: Any, live_server: str, database_url: str, course: Course,
                                  artifacts: Path) -> None:
    bank = build_bank(course)
    context = browser.new_context(viewport=THUMB, has_touch=True, is_mobile=True)
    page = context.new_page()
    signup(page, live_server)
    page.goto(f"{live_server}/exams/")
    page.get_by_label("20 questions").tap()
    page.get_by_role("button", name="See my readiness").tap()
    page.wait_for_url("**/exams/*")
    page.get_by_role("button", name="Begin the exam").tap()
    page.wait_for_url("**/q/1")
    page.wait_for_load_state()
    _, user_id = _exam(database_url)
    taps, scrolled = 0, 0
    for position in range(1, 21):
        name = "Save and next" if position < 20 else "Save and review"
        assert page.evaluate("window.scrollY") == 0
        _save_in_first_screen(page, name)  # as the page opens
        question = bank.get(_shown(page, user_id))
        assert question is not None
        taps += _tap_answer(page, question)
        scrolled = max(scrolled, page.evaluate("window.scrollY"))
        _save_in_first_screen(page, name)  # and once answered, wherever the answer was
        if position == 3:
            shoot(page, artifacts, "exam-thumb-question-375")
        with page.expect_navigation():
            page.get_by_role("button", name=name).tap()
        taps += 1
    page.get_by_role("button", name="Finish and see my score").tap()
    page.wait_for_url("**/result")
    page.wait_for_load_state()
    taps += 1
    print(f"exam of 20 by thumb: {taps} taps, at most {scrolled} px scrolled on a question page")

    exam, _ = _exam(database_url)
    unsafe = set()
    for answer in exam.answers:
        question = bank.get(answer.item_id)
        if isinstance(question, ChoiceQuestion) and any(o.unsafe and o.id in chosen_options(answer.response)
                                                        for o in question.options):
            unsafe.add(answer.position)
    assert unsafe, "no unsafe option was picked: the bank drew none"
    marked = {int(n) for n in page.locator("article.missed.is-unsafe-pick").evaluate_all(
        "(all) => all.map((a) => a.dataset.position)")}
    assert marked == unsafe
    for position in unsafe:
        card = page.locator(f'article.missed[data-position="{position}"]')
        assert card.locator(".unsafe-pick-note").is_visible()
        assert card.locator("li.is-unsafe-pick .badge-unsafe").inner_text() == "Unsafe: you picked it"
        assert card.locator("a.lesson-link").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= THUMB["width"], f"the results scroll sideways ({width} px)"
    check_axe(page, "exam results at 375")
    shoot(page, artifacts, "exam-thumb-result-375")

    missed = sum(1 for a in exam.answers if (a.score or 0) < 1)
    page.get_by_role("button", name=f"Retake the {missed} I missed").first.tap()
    page.wait_for_url("**/q/1")
    page.wait_for_load_state()
    assert f"Question 1 of {missed}" in page.content()
    _save_in_first_screen(page, "Save and next" if missed > 1 else "Save and review")
    context.close()


def _pin(monkeypatch: pytest.MonkeyPatch, question: Question) -> None:
    monkeypatch.setattr(learner, "plan_from", lambda *a, **k: Plan(question, Counts(1, 0, 0)))


def test_after_an_answer_error_focus_is_back_in_the_options(browser: Any, live_server: str, course: Course,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bank = build_bank(course)
    question = next(q for q in bank if q.type == "mcq")
    _pin(monkeypatch, question)
    page = browser.new_context(viewport=DESKTOP).new_page()
    signup(page, live_server)
    page.goto(f"{live_server}/study/")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # nothing chosen
    page.wait_for_load_state()
    assert "Choose one answer." in page.locator("#answer-error").inner_text()
    assert page.evaluate("document.activeElement.name") == "choice"  # no Tab needed
    page.keyboard.press("ArrowDown")  # a radio group's arrows choose
    assert page.locator("#question-form input:checked").count() == 1
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#verdict").is_visible()


def test_no_body_map_region_is_focused_under_the_check_bar(browser: Any, live_server: str, course: Course,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bank = build_bank(course)
    question = next(q for q in bank if q.id == "site-map--anterior-triangle-neck")
    assert isinstance(question, HotspotQuestion)
    _pin(monkeypatch, question)
    page = browser.new_context(viewport=DESKTOP).new_page()
    signup(page, live_server)
    page.goto(f"{live_server}/study/")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no region chosen: the error pushes the map down
    page.wait_for_load_state()
    page.keyboard.press("Tab")  # one Tab from the map to its first region
    assert page.evaluate("document.activeElement.classList.contains('spot-input')")
    covered = []
    for direction in ("ArrowDown", "ArrowUp"):
        for step in range(len(question.regions)):
            hidden = page.evaluate("""() => {
                const label = document.activeElement.closest('label.spot') || document.activeElement;
                const box = label.getBoundingClientRect();
                const bar = document.querySelector('.action-bar').getBoundingClientRect();
                return box.bottom > bar.top && box.top < bar.bottom;
            }""")
            if hidden:
                covered.append(f"{direction} {step + 1}")
            page.keyboard.press(direction)
    assert not covered, f"regions focused under the sticky Check bar: {covered}"
