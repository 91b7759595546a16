"""Accounts by email, through a real SMTP server: verification, the known-address notice, reset, email change.

Every link is read from the message that arrived and followed in the app.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tests.mailbox import Mailbox
from tests.webapp.helpers import PASSWORD, TOKEN, log_in, signup
from webapp.platform.config import mail_settings
from webapp.platform.db import get_session
from webapp.platform.models import EmailToken, User

SITE = "http://course.test"


@pytest.fixture
def app(app_config: dict[str, Any], mailbox: Mailbox, make_app: Callable[..., Flask]) -> Flask:
    """The app sending through the test's SMTP server, links under SITE."""
    return make_app(dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE))


def _path(link: str) -> str:
    assert link.startswith(SITE + "/"), link
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = get_session().scalar(select(User).where(User.email == email))
        assert user is not None
        get_session().expunge(user)
        return user


def test_signup_sends_a_link_that_signs_in_and_opens_the_first_question(app: Flask, client: FlaskClient,
                                                                          mailbox: Mailbox) -> None:
    page = client.post("/signup", data={"email": "new@example.com", "display_name": "Nia", "password": PASSWORD,
                                        "timezone": "Asia/Kathmandu"}, follow_redirects=True)
    assert page.status_code == 200 and b"We sent an email to new@example.com" in page.data
    [message] = mailbox.to("new@example.com")
    assert message.subject == "Confirm your email to start studying"
    assert "Nia" in message.text and "Nia" in message.html and f'href="{SITE}/verify/' in message.html
    assert message.header("List-Unsubscribe") is None  # a security message: no unsubscribe
    assert "(Asia/Kathmandu)." in message.text  # the link's end, in the zone the browser reported
    link = _path(message.link("/verify/"))
    assert client.get("/study/").status_code == 302  # not signed in yet
    confirm = client.get(link)
    assert confirm.status_code == 200 and b"Confirm and start studying" in confirm.data
    assert confirm.headers["Cache-Control"] == "no-store"
    assert _user(app, "new@example.com").email_verified_at is None  # opening the link alone changes nothing
    signed_in = client.post(link)
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/study/"
    first = client.get("/study/")
    assert first.status_code == 200 and TOKEN.search(first.get_data(as_text=True)), "no first question"
    assert _user(app, "new@example.com").email_verified_at is not None
    assert app.test_client().post(link).status_code == 404  # once only


def test_signup_with_a_known_address_tells_its_owner_and_answers_alike(app: Flask, mailbox: Mailbox) -> None:
    signup(app.test_client())  # ada@example.com
    fields = {"display_name": "Eve", "password": "another long passphrase"}
    new = app.test_client().post("/signup", data=dict(fields, email="new@example.com"), follow_redirects=True)
    known = app.test_client().post("/signup", data=dict(fields, email="ada@example.com"), follow_redirects=True)
    assert new.get_data(as_text=True).replace("new@example.com", "X") == known.get_data(as_text=True).replace(
        "ada@example.com", "X")
    verify, notice = mailbox.to("ada@example.com")
    assert verify.subject == "Confirm your email to start studying"
    assert notice.subject == "Someone tried to sign up with your email" and "nothing was changed" in notice.text
    assert "/verify/" not in notice.text  # no way in for the stranger
    client = app.test_client()
    assert client.get(_path(notice.link("/forgot"))).status_code == 200
    assert client.get(_path(notice.link("/login"))).status_code == 200


def test_forgot_password_answers_alike_and_the_link_works_once_within_the_hour(app: Flask, mailbox: Mailbox) -> None:
    owner, other_device = app.test_client(), app.test_client()
    signup(owner)
    log_in(other_device, "ada@example.com")
    before = len(mailbox.messages)
    unknown = app.test_client().post("/forgot", data={"email": "nobody@example.com"}, follow_redirects=True)
    known = app.test_client().post("/forgot", data={"email": "ADA@example.com"}, follow_redirects=True)
    assert unknown.status_code == known.status_code == 200
    assert unknown.get_data(as_text=True).replace("nobody@example.com", "X") == known.get_data(as_text=True).replace(
        "ada@example.com", "X")
    [reset] = mailbox.messages[before:]
    assert reset.to == "ada@example.com" and reset.subject == "Reset your password"
    assert "60 minutes" in reset.text and reset.header("List-Unsubscribe") is None
    link = _path(reset.link("/recover/"))
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        [stored] = get_session().scalars(select(EmailToken).where(EmailToken.purpose == "reset")).all()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept
        assert dt.timedelta(minutes=59) < stored.expires_at - stored.created_at <= dt.timedelta(hours=1)
    browser = app.test_client()
    assert browser.get(link).status_code == 200
    mismatch = browser.post(link, data={"new_password": "a brand new passphrase", "confirm": "something else!!"})
    assert mismatch.status_code == 400
    done = browser.post(link, data={"new_password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert done.status_code == 302
    assert browser.get("/progress").status_code == 200  # signed in here
    for device in (owner, other_device):  # every old session ended
        assert device.get("/progress").status_code == 302
    assert browser.post(link, data={"new_password": "x" * 20, "confirm": "x" * 20}).status_code == 404
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 400
    log_in(fresh, "ada@example.com", "a brand new passphrase")


def test_a_reset_link_stops_working_after_an_hour(app: Flask, mailbox: Mailbox) -> None:
    signup(app.test_client())
    app.test_client().post("/forgot", data={"email": "ada@example.com"})
    link = _path(mailbox.to("ada@example.com")[-1].link("/recover/"))
    with app.app_context():
        session = get_session()
        session.execute(update(EmailToken).values(expires_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
        session.commit()
    expired = app.test_client().get(link)
    assert expired.status_code == 404 and b"Ask for a new one" in expired.data


def test_email_change_is_confirmed_at_the_new_address(app: Flask, client: FlaskClient, mailbox: Mailbox) -> None:
    signup(client)
    wrong = client.post("/account/email", data={"new_email": "ada@new.example", "password": "not my password"})
    assert wrong.status_code == 400 and b"not your current password" in wrong.data
    asked = client.post("/account/email", data={"new_email": "Ada@New.example", "password": PASSWORD},
                        follow_redirects=True)
    assert asked.status_code == 200 and b"We sent a link to ada@new.example" in asked.data
    [confirm] = mailbox.to("ada@new.example")
    notice = mailbox.to("ada@example.com")[-1]
    assert confirm.subject == "Confirm your new email address"
    assert notice.subject == "Your email address is being changed" and "ada@new.example" in notice.text
    assert _user(app, "ada@example.com")  # unchanged until confirmed
    link = _path(confirm.link("/account/email/"))
    assert client.get(link).status_code == 200
    assert client.post(link, follow_redirects=True).status_code == 200
    user = _user(app, "ada@new.example")
    assert user.email_verified_at is not None
    log_in(app.test_client(), "ada@new.example")
    assert client.post(link).status_code == 404


def test_email_change_to_a_taken_address_sends_no_link_and_says_the_same(app: Flask, mailbox: Mailbox) -> None:
    signup(app.test_client(), email="bea@example.com", name="Bea")
    client = app.test_client()
    signup(client)
    before = len(mailbox.messages)
    taken = client.post("/account/email", data={"new_email": "bea@example.com", "password": PASSWORD},
                        follow_redirects=True)
    assert b"We sent a link to bea@example.com" in taken.data
    assert [m.to for m in mailbox.messages[before:]] == []


def test_forgot_and_signup_are_limited_per_typed_address(app_config: dict[str, Any], mailbox: Mailbox,
                                                          make_app: Callable[..., Flask]) -> None:
    app = make_app(dict(app_config, MAIL_URL=mailbox.url, RATELIMIT_ENABLED=True, EMAIL_LIMIT_PER_EMAIL="3 per hour"))
    statuses = [app.test_client().post("/forgot", data={"email": "x@example.com"}).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert app.test_client().post("/forgot", data={"email": "y@example.com"}).status_code == 302


def test_mail_url_is_read_into_flask_mailman_settings() -> None:
    settings = mail_settings("smtp://me%40school.org:p%40ss@mail.school.org:587?tls=1")
    assert settings == {"MAIL_SERVER": "mail.school.org", "MAIL_PORT": 587, "MAIL_USERNAME": "me@school.org",
                        "MAIL_PASSWORD": "p@ss", "MAIL_USE_TLS": True, "MAIL_USE_SSL": False}
    assert mail_settings("smtps://mail.school.org")["MAIL_PORT"] == 465
    with pytest.raises(ValueError, match="MAIL_URL"):
        mail_settings("http://mail.school.org")


def test_without_a_mail_server_messages_go_to_the_server_log(app_config: dict[str, Any], make_app: Callable[..., Flask],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(app_config)
    assert app.config["MAIL_BACKEND"] == "console"
    app.test_client().post("/forgot", data={"email": "nobody@example.com"})
    signup(app.test_client())
    out = capsys.readouterr().out
    assert "Subject: Confirm your email to start studying" in out and "To: ada@example.com" in out


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_deleting_the_account_voids_its_emailed_links(app_config: dict[str, Any], mailbox: Mailbox,
                                                     make_app: Callable[..., Flask], mode: str) -> None:
    app = make_app(dict(app_config, MAIL_URL=mailbox.url, SITE_URL=SITE, ACCOUNT_DELETION=mode))
    client = app.test_client()
    signup(client)
    app.test_client().post("/forgot", data={"email": "ada@example.com"})
    link = _path(mailbox.to("ada@example.com")[-1].link("/recover/"))
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert app.test_client().get(link).status_code == 404
    with app.app_context():
        assert get_session().scalars(select(EmailToken)).all() == []


def test_a_made_up_zone_is_ignored_and_an_smtp_outage_does_not_break_sign_up(
        app_config: dict[str, Any], make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture) -> None:
    from tests.conftest import _free_port

    app = make_app(dict(app_config, MAIL_URL=f"smtp://127.0.0.1:{_free_port()}", MAIL_TIMEOUT=2))  # nothing listens
    response = app.test_client().post("/signup", data={"email": "new@example.com", "display_name": "Nia",
                                                       "password": PASSWORD, "timezone": "Mars/Olympus"})
    assert response.status_code == 302 and response.headers["Location"] == "/signup/sent"
    assert _user(app, "new@example.com").timezone is None
    assert "could not be sent" in caplog.text


def test_the_verification_link_keeps_where_the_sign_up_was_going(app: Flask, mailbox: Mailbox) -> None:
    client = app.test_client()
    client.post("/signup?next=/join", data={"email": "new@example.com", "display_name": "Nia", "password": PASSWORD})
    client.post("/signup?next=//evil.example/", data={"email": "two@example.com", "display_name": "Two",
                                                      "password": PASSWORD})
    going = client.post(_path(mailbox.to("new@example.com")[0].link("/verify/")))
    assert going.headers["Location"] == "/join"
    elsewhere = app.test_client().post(_path(mailbox.to("two@example.com")[0].link("/verify/")))
    assert elsewhere.headers["Location"] == "/study/"  # never off the site
