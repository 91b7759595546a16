"""Accounts: sign up, log in, log out, links by email (verify, forgot password), password hashing."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    """Register the auth blueprint with its views, and the log-in limits' storage."""
    from webapp.accounts.auth import email_views, limits, views  # noqa: F401  (the views add the routes to bp)

    limits.init_app(app)

    app.register_blueprint(bp)
