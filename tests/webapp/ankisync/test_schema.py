"""The sandbox's known schema is exactly what the `anki` library makes, and anything else is refused."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from pathlib import Path

import pytest
import zstandard
from anki.collection import Collection, ExportAnkiPackageOptions

from webapp.ankisync.sandbox import KNOWN_INDEXES, KNOWN_TABLES, normalise, schema_problem


def _collections(folder: Path) -> list[sqlite3.Connection]:
    """A live collection, its current and legacy .apkg exports and its .colpkg backup, as SQLite connections."""
    col = Collection(str(folder / "live.anki2"))
    note = col.new_note(col.models.by_name("Basic"))  # type: ignore[arg-type]
    note["Front"], note["Back"] = "a", "b"
    col.add_note(note, col.decks.id_for_name("Default"))  # type: ignore[arg-type]
    col.sched.answerCard(col.sched.getCard(), 3)  # type: ignore[arg-type]
    for legacy in (False, True):
        options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False,
                                           legacy=legacy)
        col.export_anki_package(out_path=str(folder / f"legacy{legacy}.apkg"), options=options, limit=None)
    col.export_collection_package(str(folder / "backup.colpkg"), include_media=False, legacy=False)
    files = [folder / "live.anki2"]
    for package in ("legacyFalse.apkg", "legacyTrue.apkg", "backup.colpkg"):
        with zipfile.ZipFile(folder / package) as archive:
            name = next(n for n in ("collection.anki21b", "collection.anki21") if n in archive.namelist())
            data = archive.read(name)
        if name.endswith("b"):
            data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
        files.append(folder / f"{package}.sqlite")
        files[-1].write_bytes(data)
    return [sqlite3.connect(path) for path in files]


@pytest.fixture(scope="module")
def made_by_anki(tmp_path_factory: pytest.TempPathFactory) -> list[sqlite3.Connection]:
    """Collections the `anki` library wrote."""
    return _collections(tmp_path_factory.mktemp("anki"))


def test_anki_s_own_collections_pass_and_are_the_known_schema(made_by_anki: list[sqlite3.Connection]) -> None:
    tables: dict[str, set[tuple[tuple[str, str, int, int], ...]]] = {}
    indexes: dict[str, str] = {}
    for connection in made_by_anki:
        assert schema_problem(connection) is None
        for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master"):
            if kind == "index":
                indexes[name] = normalise(sql)
            else:
                columns = connection.execute(f"SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo('{name}')")
                tables.setdefault(name, set()).add(tuple(columns))
    assert {name: set(variants) for name, variants in KNOWN_TABLES.items()} == tables
    assert KNOWN_INDEXES == indexes


@pytest.mark.parametrize("change", [
    "ALTER TABLE revlog ADD COLUMN g TEXT GENERATED ALWAYS AS (hex(zeroblob(240000000))) VIRTUAL",
    "ALTER TABLE notes ADD COLUMN extra TEXT",
    "ALTER TABLE cards ADD COLUMN d TEXT DEFAULT 'x'",
    "CREATE TABLE payload (x TEXT)",
    "CREATE INDEX ix_heavy ON revlog (hex(zeroblob(1000000)))",
    "CREATE VIEW v AS SELECT * FROM revlog",
    "CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM cards; END",
    "DROP INDEX ix_revlog_cid; CREATE INDEX ix_revlog_cid ON revlog (cid) WHERE length(hex(zeroblob(9))) > 0",
    "CREATE TABLE graves2 (oid INTEGER CHECK (length(hex(zeroblob(99))) > 0))",
])
def test_anything_else_is_refused(tmp_path: Path, change: str) -> None:
    path = tmp_path / "c.anki2"
    Collection(str(path)).close(downgrade=False)
    connection = sqlite3.connect(path)
    connection.executescript(change)
    assert schema_problem(connection) is not None
