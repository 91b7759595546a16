"""A real SMTP server for tests (aiosmtpd on a free loopback port) and the messages it received, parsed."""

from __future__ import annotations

import re
import socket
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://[^\s<>\"']+")


class Received:
    """One message as it arrived: headers, the plain-text part and the HTML part."""

    def __init__(self, raw: bytes, recipients: list[str]) -> None:
        self.message: EmailMessage = message_from_bytes(raw, policy=policy.default)  # type: ignore[assignment]
        self.recipients = recipients
        text = self.message.get_body(preferencelist=("plain",))
        html = self.message.get_body(preferencelist=("html",))
        self.text = text.get_content() if text is not None else ""
        self.html = html.get_content() if html is not None else ""

    @property
    def subject(self) -> str:
        """The Subject header."""
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        """The To header."""
        return str(self.message["To"])

    def header(self, name: str) -> str | None:
        """A header's value, or None."""
        value = self.message[name]
        return None if value is None else str(value)

    def links(self) -> list[str]:
        """Every link in the plain-text part, in order."""
        return LINK.findall(self.text)

    def link(self, path_part: str) -> str:
        """The first link in the text whose address contains `path_part`."""
        for link in self.links():
            if path_part in link:
                return link
        raise AssertionError(f"no link with {path_part!r} in:\n{self.text}")


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        with self.box.lock:
            self.box.messages.append(Received(envelope.content, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class Mailbox:
    """An SMTP server running in a thread; `messages` holds what arrived, oldest first."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.lock = threading.Lock()
        with socket.socket() as sock:  # aiosmtpd needs the port up front (it checks the server by connecting)
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=port)

    def start(self) -> None:
        """Start listening (on a free port)."""
        self._controller.start()

    def stop(self) -> None:
        """Stop the server."""
        self._controller.stop()

    @property
    def url(self) -> str:
        """MAIL_URL for the app: plain SMTP to this server."""
        return f"smtp://127.0.0.1:{self._controller.port}"

    def to(self, address: str) -> list[Received]:
        """The messages sent to `address`."""
        with self.lock:
            return [m for m in self.messages if address in m.recipients]

    def wait_for(self, address: str, count: int = 1, seconds: float = 30.0) -> list[Received]:
        """The messages to `address` once at least `count` have arrived (the browser test's sends are not ours)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) to {address} expected, {len(self.to(address))} arrived")
