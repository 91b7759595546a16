"""Email in Chromium: sign-up to the first question through the emailed link, and every message's HTML part
rendered at phone and desktop width, light and dark (each rendering looked at in both), screenshotted and
checked by axe."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from tests.browser.helpers import DESKTOP, PHONE, check_axe, look, shoot
from tests.mailbox import Mailbox, Received
from tests.webapp.helpers import PASSWORD, TEACHER_PASSWORD, log_in, make_class, signup, teacher_email
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.models import ItemState, QuestionReport, User
from webapp.reminders.emails import run

SITE = "http://course.test"


@pytest.fixture
def app_config(app_config: dict[str, Any], mailbox: Mailbox) -> dict[str, Any]:
    """The live server's config: mail through the test's SMTP server."""
    return dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE)


def _path(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_sign_up_to_the_first_question_is_one_flow_in_chromium(browser: Any, live_server: str, mailbox: Mailbox,
                                                               artifacts: Any) -> None:
    context = browser.new_context(viewport=PHONE, timezone_id="Pacific/Honolulu")
    page = context.new_page()
    page.goto(f"{live_server}/signup")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Display name").fill("Noor")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(lambda url: "/signup/sent" in url)
    assert "We sent an email to newcomer@example.com" in page.content()
    [message] = mailbox.wait_for("newcomer@example.com")
    assert "(Pacific/Honolulu)." in message.text  # the browser's zone, sent with the sign-up form
    page.goto(live_server + _path(message.link("/verify/")))
    check_axe(page, "confirm your email")
    shoot(page, artifacts, "email-flow-verify-page-phone")
    page.get_by_role("button", name="Confirm and start studying").click()
    page.wait_for_url(lambda url: "/study/" in url)
    page.wait_for_load_state()
    assert page.locator('input[name="presentation"]').count() == 1, "no first question"
    assert "Your email is confirmed" in page.content()
    shoot(page, artifacts, "email-flow-first-question-phone")
    context.close()


def _every_message(app: Flask, mailbox: Mailbox) -> dict[str, Received]:
    """One of each message the app sends, produced through the app itself."""
    client = app.test_client()
    signup(client)  # verify
    app.test_client().post("/signup", data={"email": "ada@example.com", "display_name": "Eve", "password": "another long passphrase"})
    app.test_client().post("/forgot", data={"email": "ada@example.com"})
    client.post("/account/email", data={"new_email": "ada@new.example", "password": PASSWORD})
    class_id, code = make_class(app, name="Evening cohort")
    client.post("/join", data={"join_code": code})
    teacher_address = teacher_email(app, class_id)
    with app.app_context():
        session, bank = get_session(), get_bank()
        ada = session.query(User).filter_by(email="ada@example.com").one()
        teacher = session.query(User).filter_by(email=teacher_address).one()
        teacher.timezone = "Europe/Paris"
        safety = [q.id for q in bank.questions if q.safety_critical][:3]
        other = [q.id for q in bank.questions if not q.safety_critical][:9]
        past = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
        ada.reminder_hour, ada.timezone, ada.email_verified_at = 8, "Asia/Kathmandu", past
        for n, item in enumerate(safety + other):
            session.add(ItemState(user_id=ada.id, item_id=item, card={}, due=past, state=2, reps=2, lapses=n % 3,
                                  last_review=past, last_unsafe=n == 0, unsafe_picks=int(n == 0)))
        session.commit()
        run(session, dt.datetime(2026, 12, 7, 2, 15, tzinfo=dt.timezone.utc), bank)  # 08:00 in Kathmandu
        run(session, dt.datetime(2026, 12, 7, 7, 0, tzinfo=dt.timezone.utc), bank)  # Monday 08:00 in Paris
    client.post(f"/report/{other[0]}", data={"reason": "unclear", "comment": "Which side?"})
    teacher_client = app.test_client()
    log_in(teacher_client, teacher_address, TEACHER_PASSWORD)
    with app.app_context():
        report_id = get_session().query(QuestionReport.id).scalar()
    teacher_client.post(f"/instructor/classes/{class_id}/reports/{report_id}",
                        data={"status": "resolved", "reply": "Good catch: the stem now names the side."})
    by_subject = {
        "Confirm your email to start studying": "verify",
        "Someone tried to sign up with your email": "known-address",
        "Reset your password": "reset",
        "Confirm your new email address": "change",
        "Your email address is being changed": "change-notice",
        "12 questions due, 3 safety-critical; about 6 minutes": "reminder",
        "Your classes this week": "digest",
        "Your question report was answered": "reply",
    }
    found = {by_subject[m.subject]: m for m in mailbox.messages if m.subject in by_subject}
    assert set(found) == set(by_subject.values()), [m.subject for m in mailbox.messages]
    return found


def test_every_message_reads_well_at_phone_and_desktop_width(browser: Any, app: Flask, mailbox: Mailbox,
                                                             artifacts: Any, make_app: Callable[..., Flask]) -> None:
    messages = _every_message(app, mailbox)
    for viewport, tag in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        for name, message in messages.items():
            assert message.text.strip() and message.html.strip()
            page.set_content(message.html)
            look(page, artifacts, f"email-{name}-{tag}")
        context.close()


def test_the_email_pages_look_finished_and_pass_axe(browser: Any, live_server: str, app: Flask, mailbox: Mailbox,
                                                    artifacts: Any) -> None:
    """Check-your-email, account, email choices, forgot, choose a password, a used link, unsubscribe."""
    from tests.browser.helpers import log_in
    from tests.browser.helpers import signup as browser_signup
    from tests.webapp.helpers import user_id
    from webapp.reminders.unsubscribe import token_for

    for viewport, tag in ((PHONE, "phone"), (DESKTOP, "desktop")):
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        email = f"pages-{tag}@example.com"
        browser_signup(page, live_server, email=email, name="Robin")

        def visit(path: str, name: str) -> None:
            page.goto(live_server + path)
            look(page, artifacts, f"email-page-{name}-{tag}")

        visit("/signup/sent", "check-email")
        visit("/account/", "account")
        visit("/emails", "settings")
        page.get_by_label("Study reminder").select_option(label="18:00")
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
        assert "Your email choices are saved." in page.content()
        context.clear_cookies()
        visit("/forgot", "forgot")
        page.get_by_label("Email").fill(email)
        page.get_by_role("button", name="Email me a link").click()
        page.wait_for_url(lambda url: "/signup/sent" in url)
        link = _path(mailbox.wait_for(email, 2)[-1].link("/recover/"))
        visit(link, "recover")
        page.get_by_label("New password", exact=True).fill("a different long passphrase")
        page.get_by_label("Repeat the new password").fill("a different long passphrase")
        page.get_by_role("button", name="Set new password").click()
        page.wait_for_url(lambda url: "/recover/" not in url)
        visit(link, "link-used")
        with app.test_request_context():  # the same secret as the live server: the link a reminder carries
            token = token_for(user_id(app, email), "reminders")
        visit(f"/unsubscribe/{token}", "unsubscribe")
        page.get_by_role("button", name="Unsubscribe").click()
        page.wait_for_load_state()
        assert "Unsubscribed" in page.content()
        look(page, artifacts, f"email-page-unsubscribed-{tag}")
        context.clear_cookies()
        log_in(page, live_server, email, "a different long passphrase")
        context.close()
