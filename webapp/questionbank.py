"""The question bank, built once at start-up from the course and held by the app.

Questions are never copied into tables: the database keeps only item ids, so a
review of an item that later leaves the course stays and shows as retired.
"""

from __future__ import annotations

from flask import Flask, current_app

from quizzes.bank import Bank, build_bank


def get_bank() -> Bank:
    """The running app's question bank."""
    return current_app.extensions["bank"]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    """Build the bank from the course the factory loaded."""
    app.extensions["bank"] = build_bank(app.extensions["course"])
