"""In Chromium: the pages work under the Content-Security-Policy, and stored XSS payloads run nowhere.

Every user-typed field that a page shows back (display names, class names,
typed cloze answers, the join code and sign-up fields echoed in errors) is
filled with script and event-handler payloads; every page that shows them is
loaded with `window.alert` (and confirm, prompt) hooked and dialogs counted.
Nothing may run, and no page may report a CSP violation: a violation means an
inline script or style the policy blocked, so a feature is broken.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import sessionmaker
from werkzeug.datastructures import MultiDict

from course import Course
from quizzes.bank import build_bank
from tests.browser.helpers import log_in
from webapp.platform.db import make_engine
from webapp.platform.models import Enrollment, SchoolClass, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"
PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg onload=alert(3)>",
    "'-alert(4)-'",
    "javascript:alert(5)",
    '<a href="javascript:alert(6)">x</a>',
    "</script><script>alert(7)</script>",
    '" autofocus onfocus="alert(8)',
)
HOOKS = """
window.__ran = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__ran.push(name + ":" + message); };
}
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""


def _world(database_url: str, course: Course) -> dict[str, Any]:
    """An instructor named with a payload, a class per payload, a student per payload who typed it as an answer."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    bank = build_bank(course)
    cloze = next(q for q in bank.questions if q.type == "cloze")
    site_question = next(q for q in bank.questions if q.type == "hotspot")  # so the forecast's body map is shaded
    engine = make_engine(database_url)
    ids: dict[str, Any] = {"students": [], "classes": [], "reviews": []}
    with sessionmaker(engine, expire_on_commit=False)() as session:
        teacher = User(email="teach@example.com", display_name=PAYLOADS[0][:80], role="instructor",
                       password_hash=hasher.hash(PASSWORD))
        session.add(teacher)
        session.flush()
        for n, payload in enumerate(PAYLOADS):
            school_class = SchoolClass(name=payload, instructor_id=teacher.id, join_code=f"XSS{n}", modules=[],
                                       exam_date=dt.date.today() + dt.timedelta(days=30))
            student = User(email=f"s{n}@example.com", display_name=payload[:80], password_hash=hasher.hash(PASSWORD))
            session.add_all([school_class, student])
            session.flush()
            session.add(Enrollment(class_id=school_class.id, user_id=student.id))
            session.commit()
            fields = MultiDict({f"blank-{i}": payload for i in range(1, len(cloze.blanks) + 1)})
            response = parse_response(cloze, fields).response
            recorded = record_answer(session, student.id, cloze, response, 3000, f"xss-{n}",
                                     dt.datetime.now(dt.timezone.utc), 0.9, 0.95)
            record_answer(session, student.id, site_question, site_question.region, 3000, f"xss-site-{n}",
                          dt.datetime.now(dt.timezone.utc), 0.9, 0.95)
            ids["students"].append(student.id)
            ids["classes"].append(school_class.id)
            ids["reviews"].append(recorded.review.id)
    engine.dispose()
    return ids


def _visit(page: Any, url: str, seen: list[str]) -> None:
    response = page.goto(url)  # returns once the load event has fired
    assert response is not None and response.status < 500, url
    seen.append(url)
    _check(page, url)


def _check(page: Any, where: str) -> None:
    # Let deferred scripts and any injected handler fire: the page's own timers and a frame, not a fixed sleep.
    # Then both records are read in the same round trip to the browser.
    ran, violations = page.evaluate(
        "() => new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))"
        ".then(() => [window.__ran || [], window.__csp || []])")
    assert ran == [], f"script ran on {where}: {ran}"
    assert violations == [], f"CSP violation on {where}: {violations}"


# The payloads are stored through the ORM and shown by the same templates over either database, and what this
# test looks at is the page in the browser, so it runs on SQLite only, as the page tours do; PostgreSQL still
# serves every page to every visitor in tests/webapp/trust/test_policy.py and test_fuzz.py.
def test_payloads_run_nowhere_and_pages_keep_to_the_csp(browser: Any, live_server: str, database_url: str,
                                                        course: Course) -> None:
    ids = _world(database_url, course)
    dialogs: list[str] = []
    seen: list[str] = []
    context = browser.new_context()
    context.add_init_script(HOOKS)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    base = live_server

    for path in ("/", "/lessons/", "/decks/", "/login", "/signup", "/healthz", "/nowhere"):
        _visit(page, base + path, seen)
    # Sign-up and log-in echo what was typed when it is refused.
    for payload in PAYLOADS[:3]:
        page.goto(f"{base}/signup")
        page.get_by_label("Email").fill(payload)
        page.get_by_label("Display name").fill(payload)
        page.get_by_label("Password").fill("short")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        _check(page, f"sign-up errors with {payload}")

    log_in(page, base, "teach@example.com", PASSWORD)
    _visit(page, f"{base}/instructor/", seen)
    for class_id in ids["classes"]:
        for suffix in ("", "/items", "/settings"):
            _visit(page, f"{base}/instructor/classes/{class_id}{suffix}", seen)
    for class_id, student_id in zip(ids["classes"], ids["students"]):
        _visit(page, f"{base}/instructor/classes/{class_id}/students/{student_id}", seen)
    _visit(page, f"{base}/decks/", seen)
    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_load_state()

    for n, (student_id, review_id) in enumerate(zip(ids["students"], ids["reviews"])):
        log_in(page, base, f"s{n}@example.com", PASSWORD)
        for path in (f"/study/answers/{review_id}", "/progress", "/study/", "/decks/", "/"):
            _visit(page, base + path, seen)
        page.goto(f"{base}/join")
        page.get_by_label("Join code").fill(PAYLOADS[n][:16])
        page.get_by_role("button", name="Join class").click()
        page.wait_for_load_state()
        _check(page, f"join with {PAYLOADS[n]}")
        page.get_by_role("button", name="Log out").first.click()
        page.wait_for_load_state()
    assert dialogs == []
    assert len(seen) >= 60
    context.close()


def test_charts_and_scripts_work_under_the_csp(browser: Any, live_server: str, database_url: str, course: Course) -> None:
    """The pages that use script (study keys, progress charts, the class overview) still do their job."""
    ids = _world(database_url, course)
    context = browser.new_context()
    context.add_init_script(HOOKS)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, live_server, "s0@example.com", PASSWORD)
    page.goto(f"{live_server}/progress")
    page.wait_for_function("document.querySelectorAll('canvas').length >= 1 && window.Chart !== undefined")
    _check(page, "progress")
    page.goto(f"{live_server}/study/")
    page.wait_for_load_state("load")
    _check(page, "study")
    page.get_by_role("button", name="Log out").first.click()
    log_in(page, live_server, "teach@example.com", PASSWORD)
    page.goto(f"{live_server}/instructor/classes/{ids['classes'][0]}")
    page.wait_for_load_state("load")
    _check(page, "class overview")
    # The shaded body map moved to the exam-day forecast page (issue 13).
    page.goto(f"{live_server}/instructor/classes/{ids['classes'][0]}/forecast")
    page.wait_for_load_state("load")
    _check(page, "class forecast")
    rules = page.evaluate("document.querySelector('.bodymap-shaded style').textContent")
    assert "fill-opacity" in rules, "no site is shaded, so this page cannot show whether its <style> block runs"
    shaded = page.evaluate(
        "[...document.querySelectorAll('.bodymap-shaded [data-region]')]"
        ".some(e => getComputedStyle(e).fillOpacity === '1')"
    )
    assert shaded, "the class heat map's <style> block was blocked"
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    context.close()


# A look test: on SQLite only, as the page tours. The dark theme is CSS alone (`prefers-color-scheme`), so each
# page is loaded once and looked at in both schemes.
def test_signup_then_log_in_and_the_limit_message_look_finished(browser: Any, live_server: str, artifacts: Any) -> None:
    """The pages sign-up and the log-in limit now lead to: screenshots at phone and desktop size, axe clean."""
    from tests.browser.helpers import DESKTOP, PHONE, look

    for viewport, tag in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        email = f"look-{tag}@example.com"
        page.goto(f"{live_server}/signup")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Display name").fill("Robin")
        page.get_by_label("Password").fill("password12")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        assert "most common" in page.content()
        look(page, artifacts, f"security-signup-common-{tag}", axe=())
        page.get_by_label("Password").fill("a long enough password")
        page.get_by_role("button", name="Create account").click()
        page.wait_for_load_state()
        assert "/signup/sent" in page.url and "We sent an email" in page.content()
        look(page, artifacts, f"security-check-email-after-signup-{tag}")
        context.close()
