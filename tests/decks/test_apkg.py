"""The .apkg writer: reproducible bytes, note times from content, atomic replacement."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import genanki
import pytest

from course import Course
from decks.apkg import write_apkg
from decks.ids import ROOT_DECK_ID, ROOT_DECK_NAME
from decks.notes import Lookup, to_note
from tests.decks.conftest import sample_questions

RELEASE = 1_790_000_000
EDITED = 1_780_000_000


def _decks(course: Course) -> list[genanki.Deck]:
    deck = genanki.Deck(ROOT_DECK_ID, ROOT_DECK_NAME)
    lookup = Lookup.of(course)
    for question in sample_questions():
        deck.add_note(to_note(question, lookup))
    return [deck]


def _write(course: Course, path: Path) -> dict[str, int]:
    decks = _decks(course)
    note_mod = {note.guid: EDITED + index for index, note in enumerate(decks[0].notes)}
    write_apkg(decks, path, timestamp=RELEASE, note_mod=note_mod, media={"b.svg": b"<svg/>", "a.svg": b"<svg></svg>"})
    return note_mod


def test_same_input_same_bytes(course: Course, tmp_path: Path) -> None:
    _write(course, tmp_path / "one.apkg")
    _write(course, tmp_path / "two.apkg")
    assert (tmp_path / "one.apkg").read_bytes() == (tmp_path / "two.apkg").read_bytes()


def test_notes_carry_their_content_time(course: Course, tmp_path: Path) -> None:
    note_mod = _write(course, tmp_path / "deck.apkg")
    with zipfile.ZipFile(tmp_path / "deck.apkg") as archive:
        (tmp_path / "col.anki2").write_bytes(archive.read("collection.anki2"))
        manifest = json.loads(archive.read("media"))
        assert {info.date_time for info in archive.infolist()} == {(2026, 9, 21, 14, 13, 20)}
        assert manifest == {"0": "a.svg", "1": "b.svg"}
        assert archive.read("1") == b"<svg/>"
    connection = sqlite3.connect(tmp_path / "col.anki2")
    try:
        assert dict(connection.execute("SELECT guid, mod FROM notes")) == note_mod
        mismatched = connection.execute(
            "SELECT count(*) FROM cards JOIN notes ON notes.id = cards.nid WHERE cards.mod != notes.mod").fetchone()
        assert mismatched == (0,)
    finally:
        connection.close()


def test_a_failed_write_leaves_the_old_file(course: Course, tmp_path: Path) -> None:
    path = tmp_path / "deck.apkg"
    path.write_bytes(b"previous")
    # fails while zipping, after the partial file was opened
    with pytest.raises(TypeError):
        write_apkg(_decks(course), path, timestamp=RELEASE, note_mod={}, media={"x.svg": None})  # type: ignore[dict-item]
    assert path.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.apkg"]
