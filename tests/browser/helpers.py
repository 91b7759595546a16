"""Browser-test helpers: log-in, a class made in the database, answering any question type, axe, screenshots,
and the page tours' parameters (one test per page, width and colour scheme).

Nothing here sets a timeout: the `browser` fixture gives every context one generous default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import make_engine
from webapp.platform.models import SchoolClass, User

AXE_OPTIONS: dict[str, Any] = {"resultTypes": ["violations"]}
# axe-core switches its duplicate-id rules off by default; study pages are checked with them on.
AXE_STRICT: dict[str, Any] = {
    **AXE_OPTIONS,
    "rules": {rule: {"enabled": True} for rule in ("duplicate-id", "duplicate-id-active", "duplicate-id-aria")},
}
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")


def make_class(database_url: str, join_code: str = "JOIN42") -> str:
    """An instructor and an open class straight in the database; returns the join code."""
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        teacher = User(email="teacher@example.com", display_name="Ms Teacher", role="instructor", password_hash=hash_password("x" * 12))
        session.add(teacher)
        session.flush()
        session.add(SchoolClass(name="Spring cohort", instructor_id=teacher.id, join_code=join_code, daily_new_limit=30, modules=[]))
        session.commit()
    engine.dispose()
    return join_code


def signup(page: Any, base: str, email: str = "sam@example.com", name: str = "Sam") -> None:
    """Sign up through the form."""
    page.goto(f"{base}/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/signup/sent" in url)  # the sign-up page has an Email field too
    page.wait_for_load_state()
    # Sign-up answers a new and a known email alike and emails a link; these tests log in with the password instead.
    log_in(page, base, email, "a long enough password")


def log_in(page: Any, base: str, email: str, password: str, go: bool = True) -> None:
    """Log in through the form (at /login unless `go` is false: the page is there already).

    Waits for the redirect away from /login: load state alone can return before the POST's
    navigation starts, and the next goto would then race the log-in.
    """
    if go:
        page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)
    page.wait_for_load_state()


def cookies_of(browser: Any, base: str, email: str, password: str) -> list[dict[str, Any]]:
    """The cookies of a log-in made once in a throwaway context: a tour's tests each open a context with them."""
    context = browser.new_context()
    try:
        log_in(context.new_page(), base, email, password)
        return list(context.cookies())
    finally:
        context.close()


def tour(pages: Iterable[str], viewports: Sequence[str] = tuple(VIEWPORTS), schemes: Sequence[str] = SCHEMES) -> Any:
    """`pytest.mark.parametrize` over a page tour: one test per page, width and colour scheme."""
    params = [pytest.param(name, viewport, scheme, id=f"{name}-{viewport}-{scheme}")
              for name in pages for scheme in schemes for viewport in viewports]
    return pytest.mark.parametrize(("name", "viewport", "scheme"), params)


@contextmanager
def tour_page(browser: Any, viewport: str, scheme: str, cookies: Sequence[dict[str, Any]] = ()) -> Iterator[Any]:
    """A page in a new context at `viewport`'s size and in `scheme`, holding `cookies`; closed afterwards."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    try:
        if cookies:
            context.add_cookies(list(cookies))
        yield context.new_page()
    finally:
        context.close()


def visit(page: Any, url: str) -> None:
    """Go to `url` and wait for its load event (scripts run, styles and images in).

    Not "networkidle": it adds half a second of silence to every visit and, on a loaded
    machine, can fail to appear within the timeout at all.
    """
    page.goto(url, wait_until="load")


def question_type(page: Any) -> str:
    """The type of the question on the page (from the form's class)."""
    classes = page.locator("#question-form").get_attribute("class") or ""
    return next(c.removeprefix("question-") for c in classes.split() if c.startswith("question-"))


def answer_by_mouse(page: Any, submit: str = "Check answer") -> str:
    """Answer the shown question with the mouse and press `submit`; returns its type."""
    kind = question_type(page)
    if kind in ("mcq", "multi", "truefalse"):
        page.locator("label.option").first.click()
    elif kind == "cloze":
        for blank in page.locator("input.blank").all():
            blank.click()
            blank.fill("pressure")
    elif kind == "matching":
        for select in page.locator(".matching select").all():
            select.select_option(index=1)
    elif kind == "hotspot":
        page.locator("label.spot:visible").first.click()
        assert page.locator('input[name="region"]:checked').count() == 1, "clicking the map chose no region"
    page.get_by_role("button", name=submit).click()
    page.wait_for_load_state()
    return kind


def answer_by_keyboard(page: Any) -> str:
    """Answer the shown question with the keyboard only and submit; returns its type."""
    kind = question_type(page)
    if kind == "hotspot":
        page.locator("input.spot-input").first.focus()
        page.keyboard.press("ArrowDown")
        assert page.locator("#question-form input:checked").count() == 1, "ArrowDown chose no region"
        with page.expect_navigation():
            page.keyboard.press("Enter")
    elif kind in ("mcq", "multi", "truefalse"):
        page.keyboard.press("1")
        assert page.locator("#question-form input:checked").count() == 1, "key 1 chose nothing"
        with page.expect_navigation():
            page.keyboard.press("Enter")
    elif kind == "cloze":
        page.locator("input.blank").first.focus()
        for index, _ in enumerate(page.locator("input.blank").all()):
            if index:
                page.keyboard.press("Tab")
            page.keyboard.type("nerve")
        with page.expect_navigation():
            page.keyboard.press("Enter")
    elif kind == "matching":
        page.locator(".matching select").first.focus()
        for index, _ in enumerate(page.locator(".matching select").all()):
            if index:
                page.keyboard.press("Tab")
            page.keyboard.press("ArrowDown")
        with page.expect_navigation():  # Enter checks from the last dropdown
            page.keyboard.press("Enter")
    page.wait_for_load_state()
    return kind


def check_axe(page: Any, label: str, strict: bool = False) -> None:
    """Fail with axe's report when the page has any accessibility violation (`strict`: duplicate ids too)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_STRICT if strict else AXE_OPTIONS)
    assert results.violations_count == 0, f"{label}: {results.generate_report()}"


def shoot(page: Any, artifacts: Path, name: str) -> None:
    """A full-page screenshot under tests/artifacts/."""
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
