"""Study reminders over time zones and a daylight-saving change, the weekly digest and report replies,
sent through a real SMTP server with the clock passed in, their links followed in the app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from course import Course
from quizzes.bank import build_bank
from tests.mailbox import Mailbox, Received
from tests.webapp.helpers import PASSWORD, TEACHER_PASSWORD, TOKEN, log_in, make_class, signup, teacher_email, user_id
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, ItemState, QuestionReport, User
from webapp.reminders.emails import run

SITE = "http://course.test"
UTC = dt.timezone.utc


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def app(app_config: dict[str, Any], mailbox: Mailbox, make_app: Callable[..., Flask]) -> Flask:
    """The app sending through the test's SMTP server, CSRF on (the one-click unsubscribe must work without it)."""
    return make_app(dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE, WTF_CSRF_ENABLED=True))


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The app's database session inside an app context."""
    with app.app_context():
        yield get_session()


def _path(link: str) -> str:
    assert link.startswith(SITE + "/"), link
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _learner(session: Session, name: str, zone: str, hour: int | None, due_items: list[str],
             verified: bool = True) -> int:
    user = User(email=f"{name.lower()}@example.com", display_name=name, password_hash=hash_password(PASSWORD),
                timezone=zone, reminder_hour=hour, email_verified_at=_utc("2026-10-01T00:00:00") if verified else None)
    session.add(user)
    session.flush()
    for item in due_items:
        session.add(ItemState(user_id=user.id, item_id=item, card={}, due=_utc("2026-10-30T00:00:00"), state=2,
                              reps=1, last_review=_utc("2026-10-29T00:00:00")))
    session.commit()
    return user.id


def _twelve_due_three_safety() -> list[str]:
    bank = get_bank()
    safety = [q.id for q in bank.questions if q.safety_critical][:3]
    other = [q.id for q in bank.questions if not q.safety_critical][:9]
    assert len(safety) == 3 and len(other) == 9
    return safety + other


def test_each_learner_gets_one_reminder_a_day_at_their_hour_across_zones_and_a_dst_change(
        app: Flask, session: Session, mailbox: Mailbox) -> None:
    items = _twelve_due_three_safety()
    learners = {
        "Kiri": ("Pacific/Kiritimati", 8),  # UTC+14
        "Kath": ("Asia/Kathmandu", 8),  # UTC+5:45
        "Hono": ("Pacific/Honolulu", 8),  # UTC-10
        "Nyone": ("America/New_York", 1),  # 01:00 happens twice on 2026-11-01
        "Nyeight": ("America/New_York", 8),  # 08:00 moves from 12:00 to 13:00 UTC
        "Uma": ("UTC", 6),  # unsubscribes from her first reminder
    }
    for name, (zone, hour) in learners.items():
        _learner(session, name, zone, hour, items)
    _learner(session, "Ned", "UTC", 8, [])  # nothing due
    _learner(session, "Otto", "UTC", None, items)  # never opted in
    _learner(session, "Vera", "UTC", 8, items, verified=False)  # never confirmed her address
    expected = {
        "kiri@example.com": ["2026-10-31T18:00", "2026-11-01T18:00"],
        "kath@example.com": ["2026-10-31T02:15", "2026-11-01T02:15", "2026-11-02T02:15"],
        "hono@example.com": ["2026-10-31T18:00", "2026-11-01T18:00"],
        "nyone@example.com": ["2026-10-31T05:00", "2026-11-01T05:00", "2026-11-02T06:00"],
        "nyeight@example.com": ["2026-10-31T12:00", "2026-11-01T13:00", "2026-11-02T13:00"],
        "uma@example.com": ["2026-10-31T06:00"],
    }
    bank, client = get_bank(), app.test_client()
    arrived: dict[str, list[str]] = {}
    now, end = _utc("2026-10-31T00:00:00"), _utc("2026-11-02T14:00:00")
    while now <= end:
        before = len(mailbox.messages)
        run(session, now, bank)
        run(session, now, bank)  # a second run in the same minute (a retry, a second scheduler) sends nothing
        for message in mailbox.messages[before:]:
            arrived.setdefault(message.to, []).append(now.strftime("%Y-%m-%dT%H:%M"))
            if message.to == "uma@example.com":
                # The mail client's one-click button (RFC 8058): a POST with no cookie and no CSRF token.
                target = message.header("List-Unsubscribe")
                assert target and message.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
                done = client.post(_path(target.strip().strip("<>")), data={"List-Unsubscribe": "One-Click"})
                assert done.status_code == 200 and b"Unsubscribed" in done.data
        now += dt.timedelta(minutes=15)
    assert arrived == expected
    kath = mailbox.to("kath@example.com")[0]
    assert kath.subject == "12 questions due, 3 safety-critical; about 6 minutes"
    assert "08:00 (Asia/Kathmandu)" in kath.text and "Unsubscribe" in kath.html
    assert "<h1" in kath.html and str(kath.header("List-Unsubscribe")).strip().startswith(f"<{SITE}/unsubscribe/")
    # The reminder's link opens the learner's first question once logged in.
    learner = app.test_client()
    page = learner.get(_path(kath.link("/study/")))
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    log_in_page = learner.get("/login")
    csrf = log_in_page.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    learner.post("/login", data={"email": "kath@example.com", "password": PASSWORD, "csrf_token": csrf})
    first = learner.get(_path(kath.link("/study/")))
    assert first.status_code == 200 and TOKEN.search(first.get_data(as_text=True))


def test_a_learner_who_unsubscribed_from_an_old_message_gets_none_and_forged_links_fail(
        app: Flask, session: Session, mailbox: Mailbox) -> None:
    items = _twelve_due_three_safety()
    _learner(session, "Ivy", "UTC", 9, items)
    run(session, _utc("2026-11-01T09:00:00"), get_bank())
    [message] = mailbox.to("ivy@example.com")
    link = _path(message.link("/unsubscribe/"))
    client = app.test_client()
    page = client.get(link)  # opening the page (or a link scanner) changes nothing
    assert page.status_code == 200 and b"Stop study reminders?" in page.data
    assert session.scalar(select(User.reminder_hour).where(User.email == "ivy@example.com")) == 9
    assert client.post(link[:-3] + "abc").status_code == 404
    assert client.post(link).status_code == 200
    session.expire_all()
    run(session, _utc("2026-11-02T09:00:00"), get_bank())
    assert len(mailbox.to("ivy@example.com")) == 1


def _class_with_students(app: Flask, session: Session) -> tuple[int, int]:
    class_id, _ = make_class(app, name="Evening cohort")
    teacher = session.scalar(select(User).where(User.email == teacher_email(app, class_id)))
    assert teacher is not None
    teacher.timezone = "Europe/Paris"
    items = _twelve_due_three_safety()
    idle = _learner(session, "Idris", "UTC", None, items[:2])
    unsafe = _learner(session, "Una", "UTC", None, [])
    fine = _learner(session, "Fay", "UTC", None, [])
    now = _utc("2026-12-07T06:00:00")
    session.add(ItemState(user_id=unsafe, item_id=items[0], card={}, due=now + dt.timedelta(days=3), state=2, reps=2,
                          lapses=2, last_review=now - dt.timedelta(days=1), unsafe_picks=1, last_unsafe=True))
    session.add(ItemState(user_id=fine, item_id=items[0], card={}, due=now + dt.timedelta(days=3), state=2, reps=2,
                          lapses=1, last_review=now - dt.timedelta(days=1)))
    for student in (idle, unsafe, fine):
        session.add(Enrollment(user_id=student, class_id=class_id))
    session.add(QuestionReport(user_id=fine, item_id=items[1], reason="unclear", comment="Which side?"))
    session.commit()
    return class_id, teacher.id


def test_the_weekly_digest_says_who_needs_help_and_why_once_on_monday_morning(
        app: Flask, session: Session, mailbox: Mailbox) -> None:
    class_id, teacher_id = _class_with_students(app, session)
    email = teacher_email(app, class_id)
    session.add(User(email="classless@example.com", display_name="New Teacher", role="instructor", password_hash="x",
                     timezone="Europe/Paris"))
    session.commit()
    bank = get_bank()
    # Monday 2026-12-07, 08:00 in Paris is 07:00 UTC.
    for moment in ("2026-12-07T06:00:00", "2026-12-07T07:00:00", "2026-12-07T07:45:00", "2026-12-08T07:00:00"):
        run(session, _utc(moment), bank)
    [digest] = mailbox.to(email)
    assert mailbox.to("classless@example.com") == []  # no open class: nothing to tell
    assert digest.subject == "Your classes this week"
    assert "Evening cohort (3 students)" in digest.text
    assert "Idris: has not studied for 39 days" in digest.text
    assert "Una: 1 safety answer still unsafe" in digest.text
    assert "Fay" not in digest.text.split("Items the class")[0]  # on track
    assert "Items the class keeps missing" in digest.text and "(3 lapses)" in digest.text
    assert "Reports waiting for you: 1. Answer them:" in digest.text
    assert "Monday 07 December, 08:00 (Europe/Paris)" in digest.text
    assert digest.header("List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    teacher = app.test_client()
    login = teacher.get("/login").get_data(as_text=True)
    csrf = login.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    teacher.post("/login", data={"email": email, "password": TEACHER_PASSWORD, "csrf_token": csrf})
    assert teacher.get(_path(digest.link(f"/instructor/classes/{class_id}"))).status_code == 200
    assert teacher.get(_path(digest.link("/reports"))).status_code == 200
    assert app.test_client().post(_path(digest.link("/unsubscribe/"))).status_code == 200
    session.expire_all()
    run(session, _utc("2026-12-14T07:00:00"), bank)
    assert len(mailbox.to(email)) == 1 and session.get(User, teacher_id).digest_emails is False  # type: ignore[union-attr]


def test_an_answered_report_emails_the_learner_the_reply(app_config: dict[str, Any], mailbox: Mailbox,
                                                          make_app: Callable[..., Flask]) -> None:
    app = make_app(dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE))
    class_id, code = make_class(app)
    student = app.test_client()
    signup(student)
    student.post("/join", data={"join_code": code})
    bank_items = [q.id for q in app.extensions["bank"].questions[:2]]
    for item in bank_items:
        assert student.post(f"/report/{item}", data={"reason": "unclear", "comment": "Which side?"}).status_code == 302
    teacher = app.test_client()
    log_in(teacher, teacher_email(app, class_id), TEACHER_PASSWORD)
    with app.app_context():
        first, second = get_session().scalars(select(QuestionReport.id).order_by(QuestionReport.id)).all()
    resolved = teacher.post(f"/instructor/classes/{class_id}/reports/{first}",
                            data={"status": "resolved", "reply": "Good catch: the stem now names the side."})
    assert resolved.status_code == 302
    reply: Received = mailbox.to("ada@example.com")[-1]
    assert reply.subject == "Your question report was answered"
    assert "Good catch: the stem now names the side." in reply.text and "resolved" in reply.text
    assert "Good catch" in reply.html and reply.header("List-Unsubscribe")
    mine = student.get(_path(reply.link("/report/mine")))
    assert mine.status_code == 200 and b"Good catch" in mine.data
    # Switched off in the settings: the next reply is not emailed.
    assert student.post("/emails", data={"reminder_hour": "off"}).status_code == 302
    with app.app_context():
        assert get_session().get(User, user_id(app, "ada@example.com")).reply_emails is False  # type: ignore[union-attr]
    count = len(mailbox.to("ada@example.com"))
    teacher.post(f"/instructor/classes/{class_id}/reports/{second}", data={"status": "dismissed", "reply": "As meant."})
    assert len(mailbox.to("ada@example.com")) == count


def test_the_settings_page_sets_the_hour_and_asks_an_unconfirmed_address_to_confirm(
        app_config: dict[str, Any], mailbox: Mailbox, make_app: Callable[..., Flask]) -> None:
    app = make_app(dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE))
    client = app.test_client()
    signup(client)  # logged in with the password: the address is not confirmed yet
    page = client.get("/emails")
    assert page.status_code == 200 and b"No reminders" in page.data and b"digest" not in page.data
    assert b"go only to a confirmed address" in page.data
    saved = client.post("/emails", data={"reminder_hour": "7", "replies": "y"}, follow_redirects=True)
    assert b"Reminders start once you confirm your address" in saved.data
    with app.app_context():
        user = get_session().get(User, user_id(app, "ada@example.com"))
        assert user is not None and user.reminder_hour == 7 and user.reply_emails is True
        assert user.email_verified_at is None
    link = _path(mailbox.to("ada@example.com")[-1].link("/verify/"))
    confirmed = client.post(link)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == "/emails"
    page = client.get("/emails")
    assert b"go only to a confirmed address" not in page.data and b'<option selected value="7">' in page.data
    assert client.post("/emails", data={"reminder_hour": "25"}).status_code == 400
    assert app.test_client().get("/emails").status_code == 302  # log in first


def test_the_reminders_command_sends_what_is_due_at_the_given_hour(database_url: str, mailbox: Mailbox, course: Course,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from commands import main
    from webapp.platform.db import make_engine

    engine = make_engine(database_url)
    with Session(engine) as session:
        user = User(email="cli@example.com", display_name="Cli", password_hash="x", timezone="Asia/Kathmandu",
                    reminder_hour=7, email_verified_at=_utc("2026-10-01T00:00:00"))
        session.add(user)
        session.flush()
        session.add(ItemState(user_id=user.id, item_id="x-retired-item", card={}, due=_utc("2026-11-01T00:00:00"),
                              state=2))
        session.commit()
    for name, value in {"DATABASE_URL": database_url, "MAIL_URL": mailbox.url, "SECRET_KEY": "cli-secret",
                        "DEMO_DATA": "0", "SITE_URL": SITE}.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    bad = runner.invoke(main, ["reminders", "--now", "yesterday"])
    assert bad.exit_code == 1 and "--now must be an ISO time" in bad.output
    # Only a retired item is due: nothing to ask, so no email.
    assert "Reminders sent: 0;" in runner.invoke(main, ["reminders", "--now", "2026-11-02T01:15:00+00:00"]).output
    with Session(engine) as session:
        learner = session.scalar(select(User).where(User.email == "cli@example.com"))
        assert learner is not None
        session.add(ItemState(user_id=learner.id, item_id=build_bank(course).questions[0].id, card={}, due=_utc("2026-11-01T00:00:00"),
                              state=2))
        session.commit()
    engine.dispose()
    result = runner.invoke(main, ["reminders", "--now", "2026-11-02T01:15:00+00:00"])  # 07:00 in Kathmandu
    assert result.exit_code == 0 and "Reminders sent: 1; digests sent: 0." in result.output, result.output
    [message] = mailbox.to("cli@example.com")
    assert message.subject.startswith("1 question due") and message.link("/study/").startswith(SITE)

