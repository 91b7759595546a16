"""A live course server (a werkzeug thread over a migrated test database) for the add-on to sync with."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from course import Course
from decks.feed import note_feed
from webapp import create_app
from webapp.accounts.profile.tokens import issue_token
from webapp.platform.db import get_session
from webapp.platform.models import User, utcnow


@contextmanager
def serving(config: dict[str, Any]) -> Iterator[tuple[Flask, str]]:
    """`create_app(config)` served on a free loopback port: (app, base URL)."""
    app = create_app(config)
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        app.extensions["db_engine"].dispose()


@pytest.fixture
def course_server(app_config: dict[str, Any]) -> Callable[..., Any]:
    """`course_server(course)`: the app serving `course`, with the note feed `commands` hands in, CSRF on."""

    def start(course: Course, **overrides: Any) -> Any:
        return serving(dict(app_config, COURSE=course, ANKI_NOTE_FEED=note_feed, WTF_CSRF_ENABLED=True, **overrides))

    return start


def learner_token(app: Flask, email: str = "ada@example.com", name: str = "Ada") -> tuple[int, str]:
    """A learner made in the database and a personal token of theirs: (user id, token)."""
    with app.app_context():
        session = get_session()
        user = User(email=email, display_name=name, password_hash="x")
        session.add(user)
        session.commit()
        return user.id, issue_token(session, user, "Anki on my laptop", utcnow(), 10)
