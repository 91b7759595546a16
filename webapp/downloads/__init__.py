"""Anki deck downloads (`/decks/`): the course, each module and a class's selection."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

bp = Blueprint("downloads", __name__, url_prefix="/decks")


def init_app(app: Flask) -> None:
    """Register the blueprint and fix the cache folder for this content (DECK_CACHE_DIR, else `<instance>/decks`)."""
    from webapp.downloads import views  # noqa: F401  (adds the routes to bp)
    from webapp.downloads.files import cache_folder

    root = Path(app.config.get("DECK_CACHE_DIR") or Path(app.instance_path) / "decks")
    app.extensions["deck_folder"] = cache_folder(root, app.extensions["bank"], str(app.config["DECK_VERSION"]))
    app.register_blueprint(bp)
