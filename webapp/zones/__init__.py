"""Time zones: the learner's zone from their browser, and the filters that show times in a zone.

A learner's zone is stored on the user (`users.timezone`) when their browser
reports one that differs (static/timezone.js posts it); a class's zone is set
by its instructor. `clock` holds the rules: which zone, where midnight is, how
a time is shown.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("zones", __name__)


def init_app(app: Flask) -> None:
    """Register the zone endpoint and the `in_zone` template filter."""
    from webapp.zones import clock, views  # noqa: F401  (views adds routes to bp)

    app.register_blueprint(bp)
    app.jinja_env.filters["in_zone"] = clock.in_zone
    app.jinja_env.globals["zone_label"] = clock.zone_label
