"""The Flask web app: students study in the browser, instructors watch their classes.

`create_app` is the only entry point. It reads config, builds the database
engine, loads and validates the course once, and registers each part through its
`init_app(app)`, so the factory reads as a plain list of registrations.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from course import load_course

# Imported for its ORM listeners: whichever entry point writes a review through a
# session (the app, a command, a test), the activity rollups stay true.
from webapp.records import activity as _activity  # noqa: F401


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` (tests) overrides the defaults and environment."""
    from webapp import (
        accounts,
        ankisync,
        assignments,
        classes,
        downloads,
        exams,
        instructor,
        lessons,
        platform,
        progress,
        reminders,
        reports,
        study,
    )
    from webapp.platform.config import default_config, finish_config

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(default_config(app.instance_path))
    if config:
        app.config.from_mapping(config)
    finish_config(app.config)
    app.extensions["course"] = app.config.get("COURSE") or load_course()
    # The platform first (database, security, extensions, errors, the question
    # bank), then the features; the order of the features is free.
    parts = (
        platform, accounts, classes, lessons, study, progress, instructor, downloads,
        ankisync, exams, assignments, reports, reminders,
    )
    for part in parts:
        part.init_app(app)
    return app
