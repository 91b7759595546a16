"""Accounts: sign up and log in (`auth`), a learner's own account (`profile`), and the browser's time zone (`timezone`)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the three account blueprints."""
    from webapp.accounts import auth, profile, timezone

    for part in (auth, profile, timezone):
        part.init_app(app)
