"""Email and the job queue: with Redis, `send_later` leaves the message to a worker, which sends it over SMTP."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from webapp.platform import jobs
from webapp.platform.mail import send_later


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """RQ's worker installs its own SIGINT/SIGTERM handlers; put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_with_redis_a_message_waits_for_a_worker_then_arrives(make_app: Callable[..., Flask], app_config: dict[str, Any],
                                                               redis_url: str,
                                                               mailbox: Any, restore_signals: None) -> None:
    app = make_app({**app_config, "REDIS_URL": redis_url, "MAIL_URL": mailbox.url})
    headers = {"List-Unsubscribe": "<https://example.com/u>"}
    with app.app_context():
        send_later("ada@example.com", "3 questions due", "Plain words.", "<p>Plain words.</p>", headers)
    assert mailbox.messages == [], "with a queue, the request's process must not send the message itself"
    assert jobs.work(app, burst=True, name="mail-burst")
    [message] = mailbox.messages
    assert message.to == "ada@example.com" and message.subject == "3 questions due"
    assert message.header("List-Unsubscribe") == "<https://example.com/u>"


def test_without_redis_a_message_is_sent_at_once(make_app: Callable[..., Flask], app_config: dict[str, Any],
                                                 mailbox: Any) -> None:
    app = make_app({**app_config, "MAIL_URL": mailbox.url})
    with app.app_context():
        send_later("ada@example.com", "Confirm your email", "Follow the link.", "<p>Follow the link.</p>")
    assert [message.subject for message in mailbox.messages] == ["Confirm your email"]
