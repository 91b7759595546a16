"""The Flask extensions every feature shares: CSRF, Flask-Login and the rate limiter.

They are created here unbound and attached to the app in `init_app`, so feature
packages can import them (`from webapp.platform.extensions import limiter`) without an app.

Rate limits: storage is in memory by default (one process); with REDIS_URL
set (or RATELIMIT_STORAGE_URI) every worker shares Redis. The log-in limits
(webapp.accounts.auth.limits) use the same store. Every Redis client gets
`redis_options` (timeouts), and while Redis does not answer the limits count in
this process's memory (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), so a stopped Redis
neither hangs a worker nor lifts a limit. Tests switch limits off with
RATELIMIT_ENABLED = False, except the test that checks the limit itself.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from webapp.platform.db import get_session
from webapp.platform.models import User

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    """The user a session names, only while its version and password still match (`User.get_id`)."""
    user_id = token.split(":", 1)[0]
    if not user_id.isdigit() or len(user_id) > 18:
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not hmac.compare_digest(user.get_id(), token):
        return None
    return user


def redis_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments for every Redis client the app makes (`redis.from_url`): connect and read timeouts.

    Without them redis-py waits on a stopped (SIGSTOP, or a full network) Redis for as long as it
    stays stopped, holding the request's thread; `redis.from_url` makes no retries, so one timeout is
    the whole cost.
    """
    seconds = float(config["REDIS_TIMEOUT_SECONDS"])
    return {"socket_timeout": seconds, "socket_connect_timeout": seconds}


def init_app(app: Flask) -> None:
    """Switch on CSRF protection, Flask-Login and the rate limiter (Redis timeouts, memory fallback) for `app`."""
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", redis_options(app.config))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    limiter.init_app(app)
