"""The shared platform every feature stands on: config, database, models, security, serving, errors, clock, content.

Nothing here imports a feature. `init_app` registers the platform's parts in the
order they depend on each other: the shared compiled templates before anything makes the
template environment, the database, security before any route
(so every `<int:id>` is bounded), the extensions that use them, then the error
pages, serving, the question bank, and the platform's own pages (`/`, `/healthz`).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the platform's parts, in dependency order."""
    from webapp.platform import clock, content, db, errors, extensions, health, home, mail, security, serving, templates

    for part in (templates, db, security, extensions, errors, serving, content, health, home, clock, mail):
        part.init_app(app)
