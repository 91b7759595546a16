"""The app serves decks only from a note ledger that knows the content (`make decks` was run)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commands import main
from commands.serve import build_app
from decks import ledger as note_ledger
from decks.errors import DecksError
from decks.ledger import Entry, Ledger


@pytest.fixture
def stale_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The committed ledger with one note's digest as it read before an edit nobody recorded."""
    ledger = Ledger.load(note_ledger.LEDGER_PATH)
    entries = dict(ledger.entries)
    item_id = next(note for note in sorted(entries) if not note.startswith("note-type:"))
    entries[item_id] = Entry("0123456789abcdef", entries[item_id].seconds)
    path = tmp_path / "notes.lock"
    Ledger(entries).save(path)
    monkeypatch.setattr(note_ledger, "LEDGER_PATH", path)
    return path


def test_the_app_starts_on_the_committed_ledger(app_config: dict[str, Any]) -> None:
    app = build_app(app_config)
    assert callable(app.config["DECK_BUILDER"]) and app.config["DECK_VERSION"]


def test_the_app_refuses_a_stale_ledger_naming_the_command(app_config: dict[str, Any], stale_ledger: Path) -> None:
    with pytest.raises(DecksError) as refused:
        build_app(app_config)
    message = str(refused.value)
    assert f"{stale_ledger} is out of date with the content: 1 Anki notes" in message
    assert "Run `make decks` (or `massage-course decks build`)" in message


def test_serve_prints_the_refusal_without_a_traceback(stale_ledger: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")

    def started(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started on a stale ledger")

    monkeypatch.setattr("waitress.serve", started)  # a regression fails here instead of serving forever
    result = CliRunner().invoke(main, ["serve", "--port", "0"])
    assert result.exit_code == 1
    assert "out of date with the content" in result.output and "make decks" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "app.db").exists()  # refused before the database was created or migrated
