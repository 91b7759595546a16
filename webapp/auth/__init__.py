"""Accounts: sign up, log in, log out, password hashing, the create-instructor command."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    """Register the auth blueprint with its views."""
    from webapp.auth import views  # noqa: F401  (adds the routes to bp)

    app.register_blueprint(bp)
