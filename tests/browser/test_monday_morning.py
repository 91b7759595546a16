"""Done when: the demo class's instructor answers the Monday-morning questions from the pages alone.

(a) Who needs help and why, (b) which safety-critical questions the class
misses most (each beside the students and attempts it rests on, items with
few attempts shown and marked), (c) who still picks which unsafe option, and
(d) will the class be ready for the exam date: each student's and the
class's verdict at the recent pace. Read off the pages in Chromium at 375 and
1280 px, then checked against the same answers worked out from the raw
tables (`demo_helpers.demo_facts`). Then every instructor page of the demo
class, desktop and phone, one test each loading the page once and looking
at it light and dark: axe-core, no sideways scrolling of the page, and a
screenshot; and at 375 px, on the same load, no table wider than the phone,
counting any box that scrolls sideways. The demo is made once for the module
(with one assignment, so the assignment pages have rows), and only read.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from tests.browser.helpers import DESKTOP, PHONE, cookies_of, log_in, look, tour, tour_page, visit
from tests.webapp.instructor.demo_helpers import demo_facts
from webapp import create_app
from webapp.platform.models import Assignment, SchoolClass, utcnow
from webapp.tools.synthetic.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, ensure_demo

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(module_app_config: dict[str, Any]) -> Any:
    """The first-run demo made once in the module's database (served by `module_live_server`), with one
    assignment; yields the app that made it."""
    application = create_app(dict(module_app_config, DEMO_DATA=True))
    ensure_demo(application)
    engine = application.extensions["db_engine"]
    with sessionmaker(engine)() as session:
        class_id = session.scalar(select(SchoolClass.id).where(SchoolClass.name == "Demo class"))
        assert class_id is not None
        session.add(Assignment(class_id=class_id, title="Neck safety before clinic", kind="study", modules=[],
                               lessons=[], due_on=utcnow().date() + dt.timedelta(days=7)))
        session.commit()
    yield application
    engine.dispose()


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
    page.goto(f"{base}/assignments")
    assignment = page.locator("#assignments th a").first.get_attribute("href")
    context.close()
    urls = {"index": f"{module_live_server}/instructor/", "overview": base, "forecast": f"{base}/forecast",
            "items": f"{base}/items", "item": f"{base}/items/{item}", "unsafe": f"{base}/unsafe",
            "student": f"{module_live_server}{student}", "settings": f"{base}/settings",
            "assignments": f"{base}/assignments", "assignment": f"{module_live_server}{assignment}",
            "items-all": f"{base}/items?min_attempts=0&all=1", "objectives": f"{base}/items?group=objective",
            "reports": f"{base}/reports"}
    return {"cookies": cookies, "urls": urls}


def percent(text: str) -> int | None:
    found = re.search(r"(\d+)\s%", text)
    return int(found.group(1)) if found else None


def cell(row: Any, label: str) -> str:
    """The text of a row's cell for a column, found by its label (the same cell on a phone card and a desktop row)."""
    return str(row.locator(f'td[data-label="{label}"]').inner_text()).strip()


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_monday_morning_from_the_pages(browser: Any, module_live_server: str, demo: Any, viewport: str) -> None:
    page = browser.new_context(viewport=PHONE if viewport == "phone" else DESKTOP).new_page()
    log_in(page, module_live_server, DEMO_INSTRUCTOR, DEMO_PASSWORD)
    assert page.url.endswith("/instructor/"), "an instructor lands on their classes"
    page.get_by_role("link", name="Demo class", exact=True).click()
    page.wait_for_load_state()
    facts = demo_facts(demo.extensions["db_engine"], demo.extensions["bank"], "Demo class", utcnow())

    # (a) Who needs help, and why: 1 tap from the class list.
    flagged = {}
    for row in page.locator("tr.student-row[data-status='needs attention']").all():
        flagged[row.locator("th").inner_text().strip()] = row.locator(".flag-list").inner_text()
    assert set(flagged) == set(facts.flagged)
    words = {"behind": "behind pace", "inactive": "no study", "retention": "remembers"}
    for name, kinds in facts.flagged.items():
        assert all(words[kind] in flagged[name] for kind in kinds), (name, flagged[name])

    # (b) The safety-critical questions the class misses most, each with its students and attempts:
    # those under 5 attempts are shown too, marked, never left out.
    page.locator(".tabs").get_by_role("link", name="Item analysis").click()
    page.get_by_label("Safety-critical only").check()
    assert page.get_by_label("Minimum attempts").input_value() == "5"
    page.get_by_label("Sort by").select_option("facility")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    rows = page.locator("#items tbody tr").all()
    assert rows, "no safety-critical question attempted"
    shown = []
    for row in rows:
        item = row.get_attribute("data-item")
        students = int(cell(row, "Students").split()[0])
        attempts = int(cell(row, "Attempts"))
        facility = percent(cell(row, "Facility"))
        assert cell(row, "Facility").endswith(f"of {students} first"), "facility beside its base"
        few = row.get_attribute("data-few") == "1"
        assert few == (attempts < 5) and (row.get_by_text("Few attempts").count() == 1) == few
        shown.append((item, facility, attempts, students))
    assert all(item in facts.safety_facility for item, *_ in shown)
    assert len(shown) == min(len(facts.safety_facility), 40)
    for item, facility, attempts, students in shown:
        expected, tries, people = facts.safety_facility[item]
        assert (facility, attempts, students) == (round(expected * 100), tries, people), item
    worst = sorted(round(f * 100) for f, *_ in facts.safety_facility.values())[:5]
    assert [facility for _, facility, _, _ in shown[:5]] == worst
    assert any(attempts < 5 for _, _, attempts, _ in shown), "the demo has safety items with few attempts"
    assert all(label.strip() != "Complete the sentence." for label in page.locator("#items tbody th a").all_inner_texts())

    # (c) Who still picks which unsafe option, and each student's count of it on their own page.
    page.locator(".tabs").get_by_role("link", name="Unsafe answers").click()
    page.get_by_role("link", name="Show only still unsafe").click()
    page.wait_for_load_state()
    still = set()
    for row in page.locator("tr.unsafe-row").all():
        assert row.get_attribute("data-still") == "1"
        assert row.locator("td").nth(1).inner_text().strip(), "the unsafe option is named"
        still.add((row.locator("th").inner_text().strip(), row.get_attribute("data-item")))
    assert still == facts.still_unsafe
    name = sorted({who for who, _ in facts.still_unsafe})[0]
    page.locator("tr.unsafe-row th a", has_text=name).first.click()
    page.wait_for_load_state()
    count = page.locator("#still-unsafe-count strong").inner_text()
    assert int(count) == sum(1 for who, _ in facts.still_unsafe if who == name), (name, count)

    # (d) Will the class be ready for the exam date? The verdict is the first thing on the forecast page.
    page.locator(".tabs").get_by_role("link", name="Exam-day forecast").click()
    page.wait_for_load_state()
    verdict = page.locator("#class-verdict")
    assert verdict.get_attribute("data-verdict") == facts.class_verdict
    assert verdict.locator(".exam-verdict").inner_text().strip().lower() == facts.class_verdict
    projected = sum(met for _, _, met, _ in facts.projection.values())
    total = sum(total for _, total, _ in facts.forecast.values())
    assert percent(verdict.locator(".class-projected").inner_text()) == round(100 * projected / total)
    counts = {v: int(page.locator(f'.verdict-count[data-verdict="{v}"] strong').inner_text())
              for v in ("on track", "at risk", "will not finish")}
    assert counts == {v: sum(1 for verdict in facts.verdict.values() if verdict == v) for v in counts}
    for row in page.locator("#forecast-students tbody tr").all():
        name = row.locator("th").inner_text().strip()
        met, total, recall = facts.forecast[name]
        recent, needed, projected_met, _ = facts.projection[name]
        expected_verdict, on_the_day = facts.verdict[name], facts.recall_on_the_day[name]
        assert cell(row, "Coverage").startswith(f"{met} / {total}")
        assert percent(cell(row, "Recall of items met")) == (round(recall * 100) if recall is not None else None)
        assert row.get_attribute("data-verdict") == expected_verdict, name
        assert cell(row, "Verdict for the exam").lower().startswith(expected_verdict)
        assert cell(row, "Coverage by the exam at recent pace").startswith(f"{projected_met} / {total}")
        assert percent(cell(row, "Recall on the day at recent pace")) == (
            round(on_the_day * 100) if on_the_day is not None else None)
        assert cell(row, "New a day: lately / needed").replace("\xa0", " ") == f"{recent:.1f} / {needed:.1f}"
    assert page.locator("#forecast-students tbody tr").count() == len(facts.forecast)
    page.context.close()


# The tables of every instructor page, measured at 375 px: each table's own width, how far it reaches to the
# right, and how far any box around it scrolls sideways.
TABLE_WIDTHS = """() => [...document.querySelectorAll("main table, table")].filter((t, i, all) => all.indexOf(t) === i)
  .map(t => { let scroll = 0; for (let el = t; el && el !== document.documentElement; el = el.parentElement)
                scroll = Math.max(scroll, el.scrollWidth - el.clientWidth);
              const box = t.getBoundingClientRect();
              return {id: t.id || (t.closest("[aria-label]") || t).getAttribute("aria-label") || t.tagName,
                      width: Math.ceil(box.width), right: Math.ceil(box.right), scroll}; })"""


TOUR = ("index", "overview", "forecast", "items", "item", "unsafe", "student", "settings", "assignments", "assignment")
# The pages whose tables are measured at 375 px: those of the tour on the tour's own load, the rest on their own.
TABLE_PAGES = ("overview", "forecast", "items", "items-all", "objectives", "item", "unsafe", "student", "settings",
               "assignments", "assignment", "reports")


def tables_fit_a_phone(page: Any, name: str) -> None:
    """At 375 px no table of the page is wider than the phone or scrolls sideways, and the class tabs are one row."""
    tables = page.evaluate(TABLE_WIDTHS)
    if name not in ("reports", "item"):  # reports are cards; a question that is not a choice has no options table
        assert tables, f"{name}: no table to measure"
    for table in tables:
        assert table["width"] <= PHONE["width"] and table["right"] <= PHONE["width"], (name, table)
        assert table["scroll"] <= 0, f"{name}: {table['id']} scrolls sideways by {table['scroll']}px"
    tabs = page.locator(".tabs li")
    if tabs.count():
        tops = {round(box["y"]) for box in (tabs.nth(i).bounding_box() for i in range(tabs.count())) if box}
        assert len(tops) == 1, f"{name}: the class tabs wrap to {len(tops)} rows"


@pytest.mark.parametrize("name", [name for name in TABLE_PAGES if name not in TOUR])
def test_no_instructor_table_is_wider_than_a_phone(browser: Any, demo_pages: dict[str, Any], name: str) -> None:
    with tour_page(browser, "phone", demo_pages["cookies"]) as page:
        visit(page, demo_pages["urls"][name])
        tables_fit_a_phone(page, name)


@tour(TOUR)
def test_every_instructor_page_on_desktop_and_phone(browser: Any, demo_pages: dict[str, Any], artifacts: Path,
                                                    name: str, viewport: str) -> None:
    with tour_page(browser, viewport, demo_pages["cookies"]) as page:
        visit(page, demo_pages["urls"][name])
        if viewport == "phone" and name in TABLE_PAGES:
            tables_fit_a_phone(page, name)
        look(page, artifacts, f"monday-{name}-{viewport}")
