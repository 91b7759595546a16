"""Rate limits (Flask-Limiter): slow down password guessing without a cache server.

Storage is in memory by default (one process); set RATELIMIT_STORAGE_URI to a
shared store when running several workers. Tests switch limits off with
RATELIMIT_ENABLED = False, except the test that checks the limit itself.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, default_limits=[])

# Per client address, on POST only: reading the form is never limited.
LOGIN_LIMIT = "10 per minute"
SIGNUP_LIMIT = "20 per hour"


def init_app(app: Flask) -> None:
    """Attach the limiter, with in-memory storage unless configured otherwise."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
