"""Write genanki decks to an .apkg file, reproducibly and atomically.

genanki's `Package.write_to_file` stamps every note with one build time and
zips files with their on-disk modification times, so two builds of the same
content differ. We let genanki fill the collection database (`write_to_db`,
with a fixed timestamp, which also fixes its note and card ids), then set each
note's `mod` from the note ledger (decks.ledger), and zip with fixed entry times.

The note time matters twice: Anki applies an incoming note over the learner's
copy only when it is newer, so an edited note arrives, and an unchanged one
leaves the learner's note (their tags, their lines) alone.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from pathlib import Path

import genanki


def write_apkg(
    decks: Sequence[genanki.Deck],
    out_path: Path,
    *,
    timestamp: int,
    note_mod: Mapping[str, int],
    media: Mapping[str, bytes],
    model_mod: Mapping[int, int] | None = None,
    cardless: AbstractSet[str] = frozenset(),
) -> None:
    """Write `decks` (with their notes) and `media` to `out_path`.

    Args:
        decks: genanki decks; parents before children.
        out_path: the .apkg to write; replaced atomically, never left half-written.
        timestamp: Unix seconds for the id sequence and unlisted note types (the newest note time).
        note_mod: note GUID -> Unix seconds of its last change (from the ledger).
        media: file name -> content, referenced from fields by name.
        model_mod: note type id -> Unix seconds its look last changed (from the
            ledger); note types not listed take `timestamp`.
        cardless: note GUIDs written without cards: Anki then updates a learner's
            copy of the note, and gives a learner without one no card (decks.retired).
    """
    database = _database(decks, timestamp, note_mod, model_mod or {}, cardless)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name: two writers of the same package (two CLI runs,
    # two web workers) must never truncate the file the other is renaming.
    handle, name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        _zip(partial, database, media, timestamp)
        partial.chmod(0o644)  # mkstemp makes it private; a package is for sharing
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)


def _database(decks: Sequence[genanki.Deck], timestamp: int, note_mod: Mapping[str, int],
              model_mod: Mapping[int, int], cardless: AbstractSet[str]) -> bytes:
    """The collection database as bytes, built in memory (no temporary files to sync and remove)."""
    connection = sqlite3.connect(":memory:")
    try:
        cursor = connection.cursor()
        genanki.Package(list(decks)).write_to_db(cursor, timestamp, itertools.count(timestamp * 1000))
        # by primary key: genanki's schema has no index on guid
        ids = dict(cursor.execute("SELECT guid, id FROM notes").fetchall())
        cursor.executemany("UPDATE notes SET mod = ? WHERE id = ?", [(mod, ids[guid]) for guid, mod in note_mod.items()])
        cursor.executemany("DELETE FROM cards WHERE nid = ?", [(ids[guid],) for guid in sorted(cardless)])
        cursor.execute("UPDATE cards SET mod = (SELECT mod FROM notes WHERE notes.id = cards.nid)")
        # Anki replaces a learner's note type (templates, CSS) only with a newer one: a
        # note type's time moves only with its look, not with every note change.
        (text,) = cursor.execute("SELECT models FROM col").fetchone()
        note_types = json.loads(text)
        for model_id, note_type in note_types.items():
            note_type["mod"] = model_mod.get(int(model_id), note_type["mod"])
        cursor.execute("UPDATE col SET models = ?", (json.dumps(note_types),))
        connection.commit()
        return connection.serialize()
    finally:
        connection.close()


def _zip(path: Path, database: bytes, media: Mapping[str, bytes], timestamp: int) -> None:
    when = dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).timetuple()[:6]
    names = sorted(media)
    # Anki's legacy media manifest: zip entry "0", "1", ... -> file name.
    manifest = {str(index): name for index, name in enumerate(names)}
    entries = [("collection.anki2", database), ("media", json.dumps(manifest).encode())]
    entries += [(str(index), media[name]) for index, name in enumerate(names)]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
