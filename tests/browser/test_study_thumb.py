"""Studying by thumb and by keyboard: six question types, the locate-it map, the thumb bar, the session's end.

Each question is reached by pinning the planner's choice. Key presses are counted
as the test makes them: `press` is one key, a typed word counts once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from course import Course
from quizzes.bank import Bank, build_bank
from quizzes.bodymap import locate_spots, region_label
from quizzes.planner import Counts, Plan
from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)
from tests.browser.helpers import DESKTOP, PHONE, look, make_class, signup
from webapp.study import plan as learner

pytestmark = pytest.mark.browser

# The questions pinned for each type, and the key presses that answer each by keyboard only.
PINNED = {
    "mcq": None,  # the bank's first single-answer question
    "multi": "multi-why-nerves-hard-to-hurt",  # two right answers
    "truefalse": None,
    "cloze": "cloze-mandibular-notch",  # one blank
    "matching": "match-detox-claims",  # five items
    "hotspot": "site-map--anterior-triangle-neck",  # region 2 of 11
}
KEY_PRESSES = {
    "mcq": 2,  # the option's digit, Enter
    "multi": 3,  # two digits, Enter
    "truefalse": 2,  # 1 or 2, Enter
    "cloze": 2,  # type the word, Enter
    "matching": 10,  # per item one ArrowDown (and Tab to the next), Enter on the last dropdown
    "hotspot": 3,  # Tab into the map (region 1), ArrowDown to region 2, Enter
}


def _question(bank: Bank, kind: str) -> Question:
    wanted = PINNED[kind]
    return next(q for q in bank if (q.id == wanted if wanted else q.type == kind))


def _pin(monkeypatch: pytest.MonkeyPatch, question: Question | None) -> None:
    monkeypatch.setattr(learner, "plan_from", lambda *a, **k: Plan(question, Counts(1 if question else 0, 0, 0)))


def _in_viewport(page: Any, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def _by_keyboard(page: Any, question: Question) -> int:
    """Answer right with the keyboard only; returns the key presses used."""
    presses = 0

    def press(key: str) -> None:
        nonlocal presses
        presses += 1
        page.keyboard.press(key)

    if isinstance(question, ChoiceQuestion):
        for number, option in enumerate(question.options, start=1):
            if option.correct:
                press(str(number))
    elif isinstance(question, TrueFalseQuestion):
        press("1" if question.answer else "2")
    elif isinstance(question, ClozeQuestion):
        for index, answers in enumerate(question.blanks):
            if index:
                press("Tab")
            page.keyboard.type(answers[0])
            presses += 1
    elif isinstance(question, MatchingQuestion):
        for index, _ in enumerate(question.pairs):
            if index:
                press("Tab")
            press("ArrowDown")
    elif isinstance(question, HotspotQuestion):
        number = next(s.number for s in locate_spots(question.regions) if s.site == question.region)
        press("Tab")
        for _ in range(number - 1):
            press("ArrowDown")
    with page.expect_navigation():
        press("Enter")
    page.wait_for_load_state()
    return presses


def _by_touch(page: Any, question: Question) -> None:
    """Answer with taps (and the on-screen keyboard for blanks)."""
    form = page.locator("#question-form")
    if isinstance(question, ChoiceQuestion):
        form.locator("label.option").first.tap()
    elif isinstance(question, TrueFalseQuestion):
        form.locator("label.option").first.tap()
    elif isinstance(question, ClozeQuestion):
        for blank in form.locator("input.blank").all():
            blank.tap()
            blank.fill("mandibular")
    elif isinstance(question, MatchingQuestion):
        for select in form.locator(".matching select").all():
            select.select_option(index=1)
    elif isinstance(question, HotspotQuestion):
        spot = next(s for s in locate_spots(question.regions) if s.site == question.region)
        if not page.locator(f'label.spot[data-spot="{spot.number}"]').first.is_visible():
            page.get_by_role("button", name=f"{spot.view.capitalize()} view").tap()
        page.locator(f'label.spot[data-spot="{spot.number}"]').first.tap()
    assert _in_viewport(page, "[data-submit]"), f"{question.type}: Check answer is off screen"
    with page.expect_navigation():
        page.locator("[data-submit]").tap()
    page.wait_for_load_state()


@pytest.mark.parametrize("mode", ["phone-touch", "desktop-keyboard"])
def test_six_types_by_touch_and_by_keyboard(browser: Any, live_server: str, database_url: str, course: Course,
                                            monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    bank = build_bank(course)
    phone = mode == "phone-touch"
    context = browser.new_context(viewport=PHONE if phone else DESKTOP, has_touch=phone, is_mobile=phone)
    page = context.new_page()
    signup(page, live_server)
    for kind in KEY_PRESSES:
        question = _question(bank, kind)
        _pin(monkeypatch, question)
        page.goto(f"{live_server}/study/")
        hint = page.locator(".keys-help")
        if phone:
            _by_touch(page, question)
            assert not hint.count() or not page.locator(".keys-help").first.is_visible()
            assert _in_viewport(page, "#verdict"), f"{kind}: verdict off screen"
            assert _in_viewport(page, "#next-question"), f"{kind}: Next off screen after checking"
        else:
            assert hint.is_visible()
            if kind in ("matching", "hotspot", "cloze"):
                assert "1</kbd>–" not in hint.inner_html(), f"{kind}: digits hinted where they do nothing"
            presses = _by_keyboard(page, question)
            verdict = page.locator("#verdict").inner_text()
            # Matching is answered with one ArrowDown per item (whatever that picks); the others right.
            assert verdict.endswith("Correct") or (kind == "matching" and "Answered" not in verdict), f"{kind}: {verdict}"
            assert presses == KEY_PRESSES[kind], f"{kind}: {presses} key presses"
    context.close()


def test_locate_map_neutral_labels_big_targets_and_keyboard(browser: Any, live_server: str, database_url: str,
                                                            course: Course, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = build_bank(course)
    locate = [q for q in bank if isinstance(q, HotspotQuestion)]
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    signup(page, live_server)
    for question in locate:
        _pin(monkeypatch, question)
        page.goto(f"{live_server}/study/")
        plain, _, anatomical = region_label(question.region).lower().partition(" (")
        names = {plain, anatomical.rstrip(")"), question.region.replace("-", " ")} - {""}
        names |= {site.name.lower() for site in course.sites if site.id == question.region}
        labels = [text.lower() for text in page.locator("label.spot").all_inner_texts()]
        assert labels and not any(name in label for name in names for label in labels), (question.id, labels)
        assert page.locator("svg title").count() == 0  # no tooltip names a region either
    # Every tap target at 375 px, in each view, is at least 44 x 44 CSS px.
    for view in ("front", "back"):
        page.get_by_role("button", name=f"{view.capitalize()} view").tap()
        for target in page.locator(f'[data-view="{view}"] label.spot').all():
            box = target.bounding_box()
            assert box and box["width"] >= 44 and box["height"] >= 44, (view, target.get_attribute("data-spot"), box)
    # Every region is reachable by keyboard, crossing from front to back.
    keyboard = browser.new_context(viewport=PHONE)
    page = keyboard.new_page()
    signup(page, live_server, email="kim@example.com", name="Kim")
    page.goto(f"{live_server}/study/")
    first = page.locator("input.spot-input").first
    first.focus()
    page.keyboard.press("Space")
    seen = []
    total = page.locator("input.spot-input").count()
    for _ in range(total):
        checked = page.locator("input.spot-input:checked")
        seen.append(checked.get_attribute("value"))
        assert page.locator(f'label.spot[data-spot="{seen[-1]}"]').first.is_visible()
        page.keyboard.press("ArrowDown")
    assert sorted(seen, key=int) == [str(n) for n in range(1, total + 1)]
    assert page.locator("input.spot-input:checked").get_attribute("value") == "1"  # wraps round
    context.close()
    keyboard.close()


# A look test (axe and screenshots of HTML that is the same over either database), so on SQLite only, as the
# page tours; the answer path under PostgreSQL is driven by test_six_types_by_touch_and_by_keyboard.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_study_answer_and_end_pages_look_right(browser: Any, live_server: str, database_url: str, course: Course,
                                               artifacts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = build_bank(course)
    make_class(database_url)
    for size, width in ((PHONE, "375"), (DESKTOP, "1280")):
        context = browser.new_context(viewport=size, has_touch=size is PHONE, is_mobile=size is PHONE)
        page = context.new_page()
        signup(page, live_server, email=f"s{width}@example.com")
        for kind in ("hotspot", "mcq", "truefalse"):
            question = _question(bank, kind)
            _pin(monkeypatch, question)
            page.goto(f"{live_server}/study/")
            look(page, artifacts, f"thumb-study-{kind}-{width}", strict=True, screen=True)
            if kind == "hotspot":
                spot = next(s for s in locate_spots(question.regions) if s.site != question.region and s.view == "front")
                page.locator(f'label.spot[data-spot="{spot.number}"]').first.click()
            else:
                page.locator("label.option").last.click()
            with page.expect_navigation():
                page.locator("[data-submit]").click()
            page.wait_for_load_state()
            look(page, artifacts, f"thumb-answer-{kind}-{width}", strict=True, screen=True)
        _pin(monkeypatch, None)
        page.goto(f"{live_server}/study/")
        assert "More questions in" in page.content() and "Study ahead now" in page.content()
        look(page, artifacts, f"thumb-end-{width}", strict=True)
        context.close()


def test_phone_nav_is_one_row_with_the_current_page_in_view(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    signup(page, live_server)
    page.goto(f"{live_server}/account/")  # the eighth link: off the row's right edge unless scrolled to
    tops = page.locator(".nav-links > li").evaluate_all("items => items.map(i => Math.round(i.getBoundingClientRect().top))")
    assert len(tops) >= 8 and len(set(tops)) == 1, f"the nav wraps on a phone: rows at {sorted(set(tops))}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "the nav widens the page"
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= 110, f"the header takes {header} of a phone's screen"
    current = page.locator('.nav-links [aria-current="page"]').bounding_box()
    assert current is not None and 0 <= current["x"] and current["x"] + current["width"] <= PHONE["width"], current
    page.get_by_role("button", name="Log out").click()  # the last item is still reachable (by scrolling the row)
    page.wait_for_load_state()
    assert page.locator(".nav-links").get_by_role("link", name="Log in").is_visible()
    context.close()
