"""Done when: the demo class's instructor answers the Monday-morning questions from the pages alone.

Who is behind, which safety-critical questions the class misses most (5 or
more attempts), who still picks which unsafe option, and each student's
exam-day forecast: read off the pages in Chromium, then checked against the
same answers worked out from the raw tables (`demo_helpers.demo_facts`).
Then every instructor page of the demo class, light and dark, desktop and
phone, one test each: axe-core, no sideways scrolling of the page, and a
screenshot. The demo is made once for the module, and only read.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, check_axe, cookies_of, log_in, shoot, tour, tour_page, visit
from tests.webapp.instructor.demo_helpers import demo_facts
from webapp import create_app
from webapp.platform.models import utcnow
from webapp.tools.synthetic.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, ensure_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(module_app_config: dict[str, Any]) -> Any:
    """The first-run demo made once in the module's database (served by `module_live_server`); yields the app that made it."""
    application = create_app(dict(module_app_config, DEMO_DATA=True))
    ensure_demo(application)
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture(scope="module")
def demo_pages(browser: Any, module_live_server: str, demo: Any) -> dict[str, Any]:
    """The demo instructor's cookies and the URL of each page of the tour (an item and a student found on the pages)."""
    cookies = cookies_of(browser, module_live_server, DEMO_INSTRUCTOR, DEMO_PASSWORD)
    context = browser.new_context()
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(f"{module_live_server}/instructor/")
    page.get_by_role("link", name="Demo class", exact=True).click()
    page.wait_for_load_state()
    base = page.url
    page.goto(f"{base}/items?min_attempts=0")
    item = page.locator("#items tbody tr").first.get_attribute("data-item")
    page.goto(base)
    student = page.locator("tr.student-row th a").first.get_attribute("href")
    context.close()
    urls = {"index": f"{module_live_server}/instructor/", "overview": base, "forecast": f"{base}/forecast",
            "items": f"{base}/items", "item": f"{base}/items/{item}", "unsafe": f"{base}/unsafe",
            "student": f"{module_live_server}{student}", "settings": f"{base}/settings"}
    return {"cookies": cookies, "urls": urls}


def percent(text: str) -> int | None:
    found = re.search(r"(\d+) %", text)
    return int(found.group(1)) if found else None


def test_monday_morning_from_the_pages(browser: Any, module_live_server: str, demo: Any) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, module_live_server, DEMO_INSTRUCTOR, DEMO_PASSWORD)
    assert page.url.endswith("/instructor/"), "an instructor lands on their classes"
    page.get_by_role("link", name="Demo class", exact=True).click()
    page.wait_for_load_state()
    facts = demo_facts(demo.extensions["db_engine"], demo.extensions["bank"], "Demo class", utcnow())

    # 1. Who is behind (or otherwise needs attention), and why.
    flagged = {}
    for row in page.locator("tr.student-row[data-status='needs attention']").all():
        flagged[row.locator("th").inner_text().strip()] = row.locator(".flag-list").inner_text()
    assert set(flagged) == set(facts.flagged)
    words = {"behind": "behind pace", "inactive": "no study", "retention": "remembers"}
    for name, kinds in facts.flagged.items():
        assert all(words[kind] in flagged[name] for kind in kinds), (name, flagged[name])

    # 2. The safety-critical questions the class misses most, with 5 or more attempts.
    page.locator(".tabs").get_by_role("link", name="Item analysis").click()
    page.get_by_label("Safety-critical only").check()
    assert page.get_by_label("Minimum attempts").input_value() == "5"
    page.get_by_label("Sort by").select_option("facility")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rows = page.locator("#items tbody tr").all()
    assert rows, "no safety-critical question with 5 or more attempts"
    shown = [(row.get_attribute("data-item"), percent(row.locator("td").nth(1).inner_text()),
              int(row.locator("td").nth(0).inner_text())) for row in rows]
    assert all(item in facts.safety_facility for item, _, _ in shown)
    assert len(shown) == min(len(facts.safety_facility), 40)
    for item, facility, attempts in shown:
        assert (facility, attempts) == (round(facts.safety_facility[item][0] * 100), facts.safety_facility[item][1])
    worst = sorted(round(f * 100) for f, _ in facts.safety_facility.values())[:5]
    assert [facility for _, facility, _ in shown[:5]] == worst
    assert all(label.strip() != "Complete the sentence." for label in page.locator("#items tbody th a").all_inner_texts())

    # 3. Who still picks which unsafe option.
    page.locator(".tabs").get_by_role("link", name="Unsafe answers").click()
    page.get_by_role("link", name="Show only still unsafe").click()
    page.wait_for_load_state()
    still = set()
    for row in page.locator("tr.unsafe-row").all():
        assert row.get_attribute("data-still") == "1"
        assert row.locator("td").nth(1).inner_text().strip(), "the unsafe option is named"
        still.add((row.locator("th").inner_text().strip(), row.get_attribute("data-item")))
    assert still == facts.still_unsafe

    # 4. Each student's exam-day forecast: coverage and recall of the items met.
    page.locator(".tabs").get_by_role("link", name="Exam-day forecast").click()
    page.wait_for_load_state()
    for row in page.locator("#forecast-students tbody tr").all():
        name = row.locator("th").inner_text().strip()
        met, total, recall = facts.forecast[name]
        cells = row.locator("td").all_inner_texts()
        assert cells[1].startswith(f"{met} / {total}")
        assert percent(cells[2]) == (round(recall * 100) if recall is not None else None)
    assert page.locator("#forecast-students tbody tr").count() == len(facts.forecast)


@tour(("index", "overview", "forecast", "items", "item", "unsafe", "student", "settings"))
def test_every_instructor_page_on_desktop_and_phone(browser: Any, demo_pages: dict[str, Any], artifacts: Path,
                                                    name: str, viewport: str, scheme: str) -> None:
    with tour_page(browser, viewport, scheme, demo_pages["cookies"]) as page:
        visit(page, demo_pages["urls"][name])
        tag = f"{name} ({viewport}, {scheme})"
        check_axe(page, tag)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{tag}: the page scrolls sideways by {overflow}px"
        shoot(page, artifacts, f"monday-{name}-{viewport}-{scheme}")
