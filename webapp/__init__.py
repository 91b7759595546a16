"""The Flask web app: students study in the browser, instructors watch their classes.

`create_app` is the only entry point. It reads config, builds the database
engine, loads and validates the course once, and registers each part through its
`init_app(app)`, so the factory reads as a plain list of registrations.
"""

from __future__ import annotations

import importlib
from typing import Any, Mapping

from flask import Flask

from course import load_course

# Every part of the app that registers itself; order matters only for
# extensions (security before the blueprints that use it).
_MODULES: tuple[str, ...] = (
    "webapp.db",
    "webapp.security",
    "webapp.errors",
    "webapp.health",
    "webapp.home",
    "webapp.limits",
    "webapp.questionbank",
    "webapp.auth",
    "webapp.classes",
    "webapp.lessons",
    "webapp.study",
    "webapp.progress",
    "webapp.instructor",
    "webapp.deckfiles",
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` (tests) overrides the defaults and environment."""
    from webapp.config import default_config

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(default_config(app.instance_path))
    if config:
        app.config.from_mapping(config)
    course = app.config.get("COURSE") or load_course()
    app.extensions["course"] = course
    for name in _MODULES:
        importlib.import_module(name).init_app(app)  # type: ignore[attr-defined]
    return app
