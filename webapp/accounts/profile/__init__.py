"""A learner's own account over time: change the password or email, download every record, delete the account.

Also the page an instructor's one-time reset link opens (`/account/reset/<token>`);
the instructor side that issues the link is `webapp.instructor.resets`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("account", __name__, url_prefix="/account")


def init_app(app: Flask) -> None:
    """Register the account blueprint with its views."""
    from webapp.accounts.profile import email_change, views  # noqa: F401  (they add the routes to bp)
    from webapp.accounts.profile.deletion import deletion_mode

    # A typo in the school's setting must stop the app, not surface at deletion time.
    app.config["ACCOUNT_DELETION"] = deletion_mode(app.config["ACCOUNT_DELETION"])
    app.register_blueprint(bp)
