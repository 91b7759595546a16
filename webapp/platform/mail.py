"""Outgoing email: every message goes out through `send`, built from a text and an HTML template.

Flask-Mailman does the sending (SMTP from MAIL_URL or MAIL_SERVER, else the
console backend that prints each message to the server log). A message is
described by plain values (`Outgoing`: strings and a dict of headers), so
`send_later` can hand it to a queue as it is. Templates live in
`templates/email/<name>.txt` and `<name>.html`; both are rendered from the same
context, so the two parts say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace
from flask import Flask, current_app, has_request_context, render_template, url_for
from flask_mailman import EmailMultiAlternatives, Mail

from webapp.platform import jobs

_signals = Namespace()
# Sent by the reports feature with the report's id as sender once an instructor has replied; the
# reminders feature listens and emails the learner (features never import each other).
report_answered = _signals.signal("report-answered")


@dataclass(frozen=True)
class Outgoing:
    """One message, as plain values: who to, subject, the two parts, extra headers (List-Unsubscribe…)."""

    to: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link to `endpoint` under SITE_URL, inside a request or not (a message is read off the site)."""
    path = url_for(endpoint, **values) if has_request_context() else _path_for(endpoint, values)
    return str(current_app.config["SITE_URL"]).rstrip("/") + path


def _path_for(endpoint: str, values: dict[str, Any]) -> str:
    # Outside a request (a command run by cron): build the path without any server name.
    adapter = current_app.url_map.bind("localhost", script_name="/")
    return str(adapter.build(endpoint, values))


def compose(name: str, to: str, subject: str, headers: dict[str, str] | None = None, **context: Any) -> Outgoing:
    """Render `email/<name>.txt` and `email/<name>.html` with `context` into one message to `to`."""
    context = {"subject": subject, **context}
    return Outgoing(
        to=to,
        subject=subject,
        text=render_template(f"email/{name}.txt", **context),
        html=render_template(f"email/{name}.html", **context),
        headers=dict(headers or {}),
    )


def send(message: Outgoing) -> None:
    """Send `message` now (SMTP, or the server log without a mail server); errors propagate to the caller."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=current_app.config["MAIL_SENDER"],
        to=[message.to],
        headers=message.headers,
    )
    email.attach_alternative(message.html, "text/html")
    email.send()


def send_later(to: str, subject: str, text: str, html: str, headers: dict[str, str] | None = None) -> None:
    """Send a message outside the request's own work (plain values only, so a queue can carry them).

    With REDIS_URL the message goes on the job queue (`webapp.platform.jobs`): a worker sends it and
    an SMTP failure is retried there. Without a queue it is sent here and now, and a failure is
    logged, not shown to the person whose request happened to trigger it.
    """
    if current_app.config.get("REDIS_URL"):
        jobs.enqueue(deliver, to, subject, text, html, dict(headers or {}))
        return
    try:
        send(Outgoing(to=to, subject=subject, text=text, html=html, headers=dict(headers or {})))
    except Exception:  # an SMTP outage must not turn a sign-up or a reply into an error page
        current_app.logger.exception("email to %s (%s) could not be sent", to, subject)


def deliver(to: str, subject: str, text: str, html: str, headers: dict[str, str]) -> None:
    """The queued job of `send_later`: send now, and let a failure raise so the queue retries it."""
    send(Outgoing(to=to, subject=subject, text=text, html=html, headers=headers))


def post(message: Outgoing) -> None:
    """`send_later` for an `Outgoing`."""
    send_later(message.to, message.subject, message.text, message.html, message.headers)


def init_app(app: Flask) -> None:
    """Set up Flask-Mailman from the MAIL_ settings (`webapp.platform.config`)."""
    Mail(app)
