"""Done when: the demo class's instructor answers the Monday-morning questions from the pages alone.

Who is behind, which safety-critical questions the class misses most (5 or
more attempts), who still picks which unsafe option, and each student's
exam-day forecast: read off the pages in Chromium, then checked against the
same answers worked out from the raw tables (`demo_helpers.demo_facts`).
Then every instructor page of the demo class, light and dark, desktop and
phone: axe-core, no sideways scrolling of the page, and a screenshot.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import DESKTOP, PHONE, check_axe, shoot
from tests.webapp.instructor.demo_helpers import demo_facts
from webapp import create_app
from webapp.platform.models import utcnow
from webapp.tools.synthetic.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, ensure_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app_config: dict[str, Any]) -> Any:
    """The first-run demo made in the live server's database; yields the app that made it."""
    application = create_app(dict(app_config, DEMO_DATA=True))
    ensure_demo(application)
    yield application
    application.extensions["db_engine"].dispose()


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(DEMO_INSTRUCTOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def percent(text: str) -> int | None:
    found = re.search(r"(\d+) %", text)
    return int(found.group(1)) if found else None


def test_monday_morning_from_the_pages(browser: Any, live_server: str, demo: Any) -> None:
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server)
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_instructor_page_on_desktop_and_phone(browser: Any, live_server: str, demo: Any, artifacts: Path,
                                                    scheme: str) -> None:
    for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size, color_scheme=scheme)
        page = context.new_page()
        log_in(page, live_server)
        page.get_by_role("link", name="Demo class", exact=True).click()
        page.wait_for_load_state()
        base = page.url
        page.goto(f"{base}/items?min_attempts=0")
        item = page.locator("#items tbody tr").first.get_attribute("data-item")
        page.goto(base)
        student = page.locator("tr.student-row th a").first.get_attribute("href")
        pages = (("index", f"{live_server}/instructor/"), ("overview", base), ("forecast", f"{base}/forecast"),
                 ("items", f"{base}/items"), ("item", f"{base}/items/{item}"), ("unsafe", f"{base}/unsafe"),
                 ("student", f"{live_server}{student}"), ("settings", f"{base}/settings"))
        for name, url in pages:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            tag = f"{name} ({viewport}, {scheme})"
            check_axe(page, tag)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{tag}: the page scrolls sideways by {overflow}px"
            shoot(page, artifacts, f"monday-{name}-{viewport}-{scheme}")
        context.close()
