"""Massage Safety Course sync: an Anki add-on that brings the course's corrections in and sends answers back.

This file is only the glue to Anki's window (menu items, the settings prompt,
the hook after Anki's own sync); everything it does is in `sync` (pure logic on
`anki.collection.Collection`) and `client` (HTTP with the standard library).
Outside Anki (tests, the build) `aqt` is absent or has no main window, and this
file adds nothing.
"""

from __future__ import annotations

from typing import Any

try:
    from aqt import mw as _mw
except ImportError:  # not running inside Anki
    _mw = None

MENU_TITLE = "Massage Safety Course"


def _config() -> dict[str, Any]:
    config = _mw.addonManager.getConfig(__name__) if _mw is not None else None
    return config if isinstance(config, dict) else {}


def _run_sync(quiet: bool = False) -> None:
    """Sync in the background, then show what was done (or why not)."""
    from aqt.operations import QueryOp
    from aqt.utils import showWarning, tooltip

    from .client import ApiClient, SyncError
    from .sync import sync

    config = _config()
    try:
        api = ApiClient(str(config.get("server_url", "")), str(config.get("token", "")))
    except SyncError as error:
        if not quiet:
            showWarning(str(error), title=MENU_TITLE)
        return

    def failed(error: Exception) -> None:
        if isinstance(error, SyncError):
            showWarning(str(error), title=MENU_TITLE)
        else:
            raise error

    def done(report: Any) -> None:
        tooltip(f"{MENU_TITLE}: {report.summary()}", period=6000)
        _mw.reset()

    QueryOp(parent=_mw, op=lambda col: sync(col, api), success=done).failure(failed).with_progress(
        "Syncing with the Massage Safety Course").run_in_background()


def _settings() -> None:
    """Ask for the course's address and the personal token; saved in the add-on's config."""
    from aqt.qt import QInputDialog, QLineEdit

    config = _config()
    url, ok = QInputDialog.getText(_mw, MENU_TITLE, "The course's address (e.g. https://course.example.org):",
                                   text=str(config.get("server_url", "")))
    if not ok:
        return
    token, ok = QInputDialog.getText(_mw, MENU_TITLE, "Your personal token (made on your account page):",
                                     QLineEdit.EchoMode.Password, str(config.get("token", "")))
    if not ok:
        return
    _mw.addonManager.writeConfig(__name__, {**config, "server_url": url.strip(), "token": token.strip()})


def _install() -> None:
    from aqt import gui_hooks
    from aqt.qt import QAction, QMenu

    menu = QMenu(MENU_TITLE, _mw)
    for title, action in (("Sync now", lambda: _run_sync()), ("Settings…", _settings)):
        item = QAction(title, _mw)
        item.triggered.connect(action)
        menu.addAction(item)
    _mw.form.menuTools.addMenu(menu)
    # After each of Anki's own syncs, when the learner asked for it (on by default).
    gui_hooks.sync_did_finish.append(lambda: _run_sync(quiet=True) if _config().get("sync_with_anki", True) else None)


if _mw is not None:
    _install()
