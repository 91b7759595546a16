"""The Flask extensions every feature shares: CSRF, Flask-Login and the rate limiter.

They are created here unbound and attached to the app in `init_app`, so feature
packages can import them (`from webapp.platform.extensions import limiter`) without an app.

Rate limits: storage is in memory by default (one process); with REDIS_URL
set (or RATELIMIT_STORAGE_URI) every worker shares Redis. The log-in limits
(webapp.accounts.auth.limits) use the same store. Tests
switch limits off with RATELIMIT_ENABLED = False, except the test that checks
the limit itself.
"""

from __future__ import annotations

import hmac

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


def init_app(app: Flask) -> None:
    """Switch on CSRF protection, Flask-Login and the rate limiter for `app`."""
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    limiter.init_app(app)
