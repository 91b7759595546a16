"""Browser-test helpers: log-in, a class made in the database, answering any question type, axe, screenshots,
a look at a page in both colour schemes, and the page tours' parameters (one test per page and width).

Nothing here sets a timeout: the `browser` fixture gives every context one generous default.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
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
# The learners' page tours run axe at both widths in light and on the desktop in dark: the dark theme changes
# colours, which the desktop run checks, not the layout, which the phone run checks in light.
TOUR_AXE = {"desktop": SCHEMES, "phone": ("light",)}


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


def join_class(page: Any, base: str, code: str) -> None:
    """Join a class through /join's form, waiting for the page the POST answers with (the join is done then)."""
    page.goto(f"{base}/join")
    page.get_by_label("Join code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Join class").click()
    page.wait_for_load_state()


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


def tour(pages: Iterable[str], viewports: Sequence[str] = tuple(VIEWPORTS)) -> Any:
    """`pytest.mark.parametrize` over a page tour: one test per page and width (each test `look`s in both schemes)."""
    params = [pytest.param(name, viewport, id=f"{name}-{viewport}") for name in pages for viewport in viewports]
    return pytest.mark.parametrize(("name", "viewport"), params)


# One page per width, shared by the tour tests of a worker: a new context for each test cost half a second more
# (a new renderer, and every stylesheet and script fetched again). Each test sets the cookies it needs.
_TOUR_PAGES: dict[str, Any] = {}


@contextmanager
def tour_page(browser: Any, viewport: str, cookies: Sequence[dict[str, Any]] = ()) -> Iterator[Any]:
    """The tours' page at `viewport`'s size, holding only `cookies`; closed if the test fails, so the next starts afresh."""
    page = _TOUR_PAGES.get(viewport)
    if page is None or page.is_closed():
        page = _TOUR_PAGES[viewport] = browser.new_context(viewport=VIEWPORTS[viewport]).new_page()
    page.context.clear_cookies()
    page.context.add_cookies(list(cookies))
    try:
        yield page
    except BaseException:
        del _TOUR_PAGES[viewport]
        page.context.close()
        raise


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
    """Fail with axe's report when the page has any accessibility violation (`strict`: duplicate ids too).

    axe-core (570 kB) is put into a document once, not before every run as `Axe().run` does, and only the
    violations come back: a page is checked in both colour schemes, and that is all the check reads.
    """
    from axe_playwright_python.base import AXE_SCRIPT, AxeResults

    if page.evaluate("() => typeof axe === 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    violations = page.evaluate("options => axe.run(options).then(results => results.violations)",
                               AXE_STRICT if strict else AXE_OPTIONS)
    assert not violations, f"{label}: {AxeResults({'violations': violations}).generate_report()}"


def shoot(page: Any, artifacts: Path, name: str) -> None:
    """A full-page screenshot under tests/artifacts/."""
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


# Read in one round trip per scheme: the page's background (proof the scheme switched) and its sideways overflow.
_SEEN = """() => [getComputedStyle(document.body).backgroundColor,
                  document.documentElement.scrollWidth - document.documentElement.clientWidth]"""


def look(page: Any, artifacts: Path, name: str, *, axe: Collection[str] = SCHEMES, strict: bool = False,
         shots: Mapping[str, Any] | None = None, screen: bool = False) -> None:
    """Look at the loaded page in light and in dark, switched in place, then back to light (every context's default).

    The dark theme is CSS alone (`prefers-color-scheme`), so one page load serves both schemes. Once the load
    event is in, in each scheme: no sideways scrolling; axe if the scheme is in `axe` (`strict`: duplicate ids
    too); each of `shots` (an artifact name to a locator, or to `page` for the full page; by default
    `{name: page}`) saved as `{shot}-{scheme}.png`, and with `screen` the first screen as `{name}-{scheme}-screen.png`.
    The page's background must differ between the schemes: a switch that did nothing would otherwise pass as
    two looks at the light page.
    """
    page.wait_for_load_state("load")
    backgrounds = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        background, overflow = page.evaluate(_SEEN)
        backgrounds.append(background)
        assert overflow <= 0, f"{name} ({scheme}) scrolls sideways by {overflow} px"
        if scheme in axe:
            check_axe(page, f"{name} ({scheme})", strict=strict)
        if screen:
            page.screenshot(path=str(artifacts / f"{name}-{scheme}-screen.png"))
        for shot, target in ({name: page} if shots is None else shots).items():
            if target is page:
                shoot(page, artifacts, f"{shot}-{scheme}")
            else:
                target.screenshot(path=str(artifacts / f"{shot}-{scheme}.png"))
    page.emulate_media(color_scheme="light")
    assert backgrounds[0] != backgrounds[1], f"{name}: the background is {backgrounds[0]} in light and in dark"
