"""Starting and ending sessions: a fresh CSRF token at log-in, every session ended at once on demand.

Flask's signed-cookie session cannot be revoked by itself, so each user row
carries a session version that the cookie names (`User.get_id`); bumping it
ends every session the user has, on every device and worker.
"""

from __future__ import annotations

from flask import session as cookie
from flask_login import login_user, logout_user

from webapp.platform.models import User


def start_session(user: User) -> None:
    """Log `user` in with a fresh session: nothing, the CSRF token included, carries over."""
    cookie.clear()
    login_user(user)


def end_all_sessions(user: User) -> None:
    """Invalidate every session of `user` (the caller commits)."""
    user.session_version = (user.session_version or 0) + 1


def end_session(user: User) -> None:
    """Log out here and everywhere else `user` is logged in (the caller commits)."""
    end_all_sessions(user)
    logout_user()
    cookie.clear()
