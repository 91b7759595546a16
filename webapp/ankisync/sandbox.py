"""The part of an Anki import that touches the stranger's file, run as its own process under limits.

`webapp.ankisync.package` starts this file as a script (`python -I sandbox.py
UPLOAD WORKDIR`, the request as JSON on stdin) and reads one JSON answer from
stdout: `{"ok": {...}}` or `{"refused": "message for the learner"}`. Before it
reads a byte of the upload it limits itself: address space (`RLIMIT_AS`), CPU
seconds (`RLIMIT_CPU`) and the size of any file it writes (`RLIMIT_FSIZE`, the
unpacked bound); the parent adds a wall-clock limit and kills it past that. So
whatever the file makes SQLite or Anki do, it costs this process, never the
web worker, and never more than those bounds. It imports only the standard
library, `zstandard` and (once the file has passed every check) `anki`: not
the web app, so it starts in a few hundredths of a second.

In order, each step refusing with a message:
1. the zip's declared sizes are summed before anything is unpacked; then only
   the collection entry is unpacked (and zstd-decoded), in chunks, counting the
   bytes actually produced: a zip or zstd bomb stops at the first chunk over
   the bound, having written at most the bound;
2. the SQLite file's schema must be Anki's own (`KNOWN_TABLES`,
   `KNOWN_INDEXES`, taken from collections the `anki` library makes, current
   and legacy, and held to it by a test): no unknown table, column, index,
   trigger or view, no generated column, no CHECK, DEFAULT or expression
   anywhere SQLite would evaluate it;
3. our notes' answers are counted with plain read-only SQLite: more than
   `max_answers`, or more than `max_per_note` on one note, is refused before
   Anki opens the file;
4. only then the official `anki` library opens it and reads revlog joined to
   cards and notes (the card's template number and the note's id, which is
   its creation time, come along). No field, template or script is ever rendered.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import sqlite3
import sys
import zipfile
from collections import Counter
from pathlib import Path
from typing import IO, Any

import zstandard

CHUNK = 1 << 20
MAX_ENTRIES = 200_000  # a collection with this many media files is not a study deck
META_MAX = 4096
REQUEST_MAX = 4 << 20  # the request on stdin: the course's note GUIDs and the bounds
SQLITE_MAGIC = b"SQLite format 3\x00"
# The collection file each package version holds (Anki's PackageMetadata.Version).
VERSION_FILES = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
# Revlog kinds that are answers: learning, review, relearning, filtered deck.
# Manual reschedules (4) and "set due date" (5) carry no button press.
ANSWER_KINDS = (0, 1, 2, 3)
# A manual entry with no button and no ease factor is Anki's record of a reset ("Forget"): it is
# read too, so the app's memory of the card restarts where Anki's does (`webapp.ankisync.counting`).
MANUAL_KIND = 4

Column = tuple[str, str, int, int]  # name, declared type, not null, primary-key position
_I, _T, _B = "INTEGER", "TEXT", "BLOB"


def _cols(spec: str) -> tuple[Column, ...]:
    """Columns from "name:type:notnull:pk ..." (type I, T, B, boolean or empty)."""
    types = {"I": _I, "T": _T, "B": _B, "boolean": "boolean", "": ""}
    out = []
    for part in spec.split():
        name, kind, notnull, pk = part.split(":")
        out.append((name, types[kind], int(notnull), int(pk)))
    return tuple(out)


# Every table of a collection made by the `anki` library (schema 18) or its legacy export (schema 11),
# with the columns `PRAGMA table_xinfo` reports; a table may match any of its variants.
KNOWN_TABLES: dict[str, tuple[tuple[Column, ...], ...]] = {
    "col": (_cols("id:I:0:1 crt:I:1:0 mod:I:1:0 scm:I:1:0 ver:I:1:0 dty:I:1:0 usn:I:1:0 ls:I:1:0 conf:T:1:0"
                  " models:T:1:0 decks:T:1:0 dconf:T:1:0 tags:T:1:0"),),
    "notes": (_cols("id:I:0:1 guid:T:1:0 mid:I:1:0 mod:I:1:0 usn:I:1:0 tags:T:1:0 flds:T:1:0 sfld:I:1:0"
                    " csum:I:1:0 flags:I:1:0 data:T:1:0"),),
    "cards": (_cols("id:I:0:1 nid:I:1:0 did:I:1:0 ord:I:1:0 mod:I:1:0 usn:I:1:0 type:I:1:0 queue:I:1:0 due:I:1:0"
                    " ivl:I:1:0 factor:I:1:0 reps:I:1:0 lapses:I:1:0 left:I:1:0 odue:I:1:0 odid:I:1:0"
                    " flags:I:1:0 data:T:1:0"),),
    "revlog": (_cols("id:I:0:1 cid:I:1:0 usn:I:1:0 ease:I:1:0 ivl:I:1:0 lastIvl:I:1:0 factor:I:1:0 time:I:1:0"
                     " type:I:1:0"),),
    "graves": (_cols("oid:I:1:1 type:I:1:2 usn:I:1:0"), _cols("usn:I:1:0 oid:I:1:0 type:I:1:0")),
    "config": (_cols("KEY:T:1:1 usn:I:1:0 mtime_secs:I:1:0 val:B:1:0"),),
    "deck_config": (_cols("id:I:1:1 name:T:1:0 mtime_secs:I:1:0 usn:I:1:0 config:B:1:0"),),
    "decks": (_cols("id:I:1:1 name:T:1:0 mtime_secs:I:1:0 usn:I:1:0 common:B:1:0 kind:B:1:0"),),
    "fields": (_cols("ntid:I:1:1 ord:I:1:2 name:T:1:0 config:B:1:0"),),
    "notetypes": (_cols("id:I:1:1 name:T:1:0 mtime_secs:I:1:0 usn:I:1:0 config:B:1:0"),),
    "tags": (_cols("tag:T:1:1 usn:I:1:0 collapsed:boolean:1:0 config:B:0:0"),),
    "templates": (_cols("ntid:I:1:1 ord:I:1:2 name:T:1:0 mtime_secs:I:1:0 usn:I:1:0 config:B:1:0"),),
    # SQLite's own statistics (Anki runs ANALYZE); the query planner reads them, nothing evaluates them.
    "sqlite_stat1": (_cols("tbl::0:0 idx::0:0 stat::0:0"),),
    "sqlite_stat4": (_cols("tbl::0:0 idx::0:0 neq::0:0 nlt::0:0 ndlt::0:0 sample::0:0"),),
}
# Every index, as its normalised CREATE statement.
KNOWN_INDEXES: dict[str, str] = {
    "idx_cards_odid": "create index idx_cards_odid on cards (odid) where odid != 0",
    "idx_decks_name": "create unique index idx_decks_name on decks (name)",
    "idx_fields_name_ntid": "create unique index idx_fields_name_ntid on fields (name, ntid)",
    "idx_graves_pending": "create index idx_graves_pending on graves (usn)",
    "idx_notes_mid": "create index idx_notes_mid on notes (mid)",
    "idx_notetypes_name": "create unique index idx_notetypes_name on notetypes (name)",
    "idx_notetypes_usn": "create index idx_notetypes_usn on notetypes (usn)",
    "idx_templates_name_ntid": "create unique index idx_templates_name_ntid on templates (name, ntid)",
    "idx_templates_usn": "create index idx_templates_usn on templates (usn)",
    "ix_cards_nid": "create index ix_cards_nid on cards (nid)",
    "ix_cards_sched": "create index ix_cards_sched on cards (did, queue, due)",
    "ix_cards_usn": "create index ix_cards_usn on cards (usn)",
    "ix_notes_csum": "create index ix_notes_csum on notes (csum)",
    "ix_notes_usn": "create index ix_notes_usn on notes (usn)",
    "ix_revlog_cid": "create index ix_revlog_cid on revlog (cid)",
    "ix_revlog_usn": "create index ix_revlog_usn on revlog (usn)",
}
# Words that put an expression SQLite evaluates into a table: CHECK, DEFAULT, a generated column (AS),
# a foreign key's actions. Anki's tables use none of them.
EVALUATED = re.compile(r"\b(check|default|as|generated|references)\b")


class Refused(Exception):
    """The file cannot be imported; the message is for the learner."""


def size_label(size: int) -> str:
    """A size for people: "100 MB", "1.5 MB", "195 kB"."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) or megabytes >= 10 else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} kB"


def limit_resources(memory_bytes: int, cpu_seconds: int, file_bytes: int) -> None:
    """Bound this process: address space, CPU time, and the size of any one file it writes."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # A little over the bound: our own copy stops at the bound with a message; the kernel stops anyone else.
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes + CHUNK, file_bytes + CHUNK))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def unpack_collection(path: Path, target: Path, unpacked_bytes: int) -> None:
    """Unpack the package's collection to `target`, writing at most `unpacked_bytes`."""
    not_package = Refused("This is not an Anki package. Export from Anki as .apkg (with scheduling) or .colpkg.")
    if not zipfile.is_zipfile(path):
        raise not_package
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > unpacked_bytes:
                raise _too_big(unpacked_bytes)
            name = _collection_name(archive, {entry.filename for entry in entries})
            if name is None:
                raise not_package
            with archive.open(name) as source, target.open("wb") as sink:
                if name.endswith("b"):
                    reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
                    _copy_bounded(reader, sink, unpacked_bytes)
                else:
                    _copy_bounded(source, sink, unpacked_bytes)
    except Refused:
        raise
    except (zipfile.BadZipFile, zstandard.ZstdError, NotImplementedError, EOFError, OSError, ValueError) as error:
        # A damaged archive, a bad CRC, an unknown compression or a broken zstd
        # stream: the learner's fix is the same, export again.
        raise Refused("The package is damaged or incomplete. Export it from Anki again.") from error


def _too_big(unpacked_bytes: int) -> Refused:
    return Refused(f"The package unpacks to more than {size_label(unpacked_bytes)}; it cannot be imported. "
                   "Export only the Massage Safety deck (.apkg) and upload that.")


def _collection_name(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The collection entry, chosen like Anki does: by `meta`, else the newest legacy name present."""
    if "meta" in names:
        meta = archive.getinfo("meta")
        if meta.file_size > META_MAX:
            return None
        name = VERSION_FILES.get(_meta_version(archive.read(meta)))
        return name if name in names else None
    for name in ("collection.anki21", "collection.anki2"):
        if name in names:
            return name
    return None


def _meta_version(data: bytes) -> int:
    """The version in Anki's `meta` entry (protobuf `PackageMetadata`); -1 when it cannot be read."""
    from anki.import_export_pb2 import PackageMetadata

    try:
        return int(PackageMetadata.FromString(data).version)
    except Exception:  # protobuf's DecodeError; an unreadable meta is a damaged package
        return -1


def _copy_bounded(source: IO[bytes], sink: IO[bytes], unpacked_bytes: int) -> None:
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        if written > unpacked_bytes:
            raise _too_big(unpacked_bytes)
        sink.write(chunk)


def normalise(sql: str) -> str:
    """A CREATE statement without comments, lower-cased, with single spaces."""
    without_comments = re.sub(r"--[^\n]*", " ", sql)
    return " ".join(without_comments.lower().split())


def schema_problem(connection: sqlite3.Connection) -> str | None:
    """Why the open collection's schema is not Anki's own, or None when it is."""
    for kind, name, sql in connection.execute("SELECT type, name, sql FROM sqlite_master"):
        if kind == "index":
            if sql is None and str(name).startswith("sqlite_autoindex_"):
                continue  # SQLite's own index for a UNIQUE or PRIMARY KEY: no expression of the file's
            if KNOWN_INDEXES.get(name) != normalise(sql or ""):
                return f"index {name}"
        elif kind == "table":
            variants = KNOWN_TABLES.get(name)
            text = normalise(sql or "")
            if variants is None or not text.startswith("create table") or EVALUATED.search(text):
                return f"table {name}"
            columns = connection.execute("SELECT name, type, \"notnull\", dflt_value, pk, hidden"
                                         " FROM pragma_table_xinfo(?)", (name,)).fetchall()
            if any(default is not None or hidden for _, _, _, default, _, hidden in columns):
                return f"table {name}"  # a DEFAULT or a generated (hidden) column
            if tuple((c, t, n, pk) for c, t, n, _, pk, _ in columns) not in variants:
                return f"table {name}"
        else:
            return f"{kind} {name}"  # a trigger or a view: SQL the file would run
    return None


def check_collection(collection: Path, guids: set[str], max_answers: int, max_per_note: int) -> None:
    """Refuse a file that is not SQLite, whose schema is not Anki's, or that holds too many of our answers."""
    with collection.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise Refused("The package holds no Anki collection. Export from Anki again.")
    try:
        # Read-only and with untrusted schema off: nothing in the file runs here.
        connection = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            problem = schema_problem(connection)
            if problem is None:
                _count_answers(connection, guids, max_answers, max_per_note)
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise Refused("The package's collection is damaged. Export from Anki again.") from error
    if problem is not None:
        raise Refused("The package's collection is not one Anki made, so it was not opened.")


def _count_answers(connection: sqlite3.Connection, guids: set[str], max_answers: int, max_per_note: int) -> None:
    per_note: Counter[str] = Counter()
    total = 0
    # ANSWER_KINDS and MANUAL_KIND are constant ints, never user input; resets count as entries too.
    rows = connection.execute(
        "SELECT n.guid FROM revlog r JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid"
        f" WHERE (r.type IN {ANSWER_KINDS} AND r.ease BETWEEN 1 AND 4)"
        f" OR (r.type = {MANUAL_KIND} AND r.ease = 0 AND r.factor = 0)")  # nosec B608
    for (guid,) in rows:
        if guid not in guids:
            continue
        total += 1
        per_note[guid] += 1
        if total > max_answers:
            raise Refused(f"The file holds more than {max_answers:,} answers to this course's questions, more than "
                          "one learner gives; it was not imported.")
        if per_note[guid] > max_per_note:
            raise Refused(f"The file holds more than {max_per_note:,} answers to one question, more than anyone "
                          "studies one card; it was not imported.")


def read_collection(collection: Path, guids: set[str]) -> dict[str, Any]:
    """Our notes found and their answers, read with the official `anki` library."""
    from anki.collection import Collection

    try:
        col = Collection(str(collection))
    except Exception as error:  # the anki library raises its own DBError, BackendError, ...
        raise Refused("Anki could not open the package's collection. Export it again.") from error
    try:
        db = col.db
        if db is None:
            raise Refused("Anki could not open the package's collection. Export it again.")
        found = [guid for guid in db.list("SELECT guid FROM notes") if guid in guids]
        rows = db.all(
            "SELECT r.id, n.guid, r.ease, r.ivl, r.time, r.type, r.factor, c.ord, n.id FROM revlog r"
            " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid ORDER BY r.id"
        )
    except Refused:
        raise
    except Exception as error:
        raise Refused("Anki could not read the package's collection. Export it again.") from error
    finally:
        col.close(downgrade=False)
        shutil.rmtree(collection.parent / "collection.media", ignore_errors=True)
    if not found:
        raise Refused("The package holds none of this course's notes. Export the Massage Safety deck.")
    answers = [[int(revlog_id), guid, int(ease), int(ivl), max(0, int(taken)), int(kind), int(factor), int(ordinal),
                int(note_id)]
               for revlog_id, guid, ease, ivl, taken, kind, factor, ordinal, note_id in rows
               if guid in guids and ((kind in ANSWER_KINDS and ease in (1, 2, 3, 4))
                                     or (kind == MANUAL_KIND and ease == 0 and factor == 0))]
    return {"notes_found": len(found), "answers": answers}


def run(upload: Path, workdir: Path, request: dict[str, Any]) -> dict[str, Any]:
    """Check, unpack and read the upload as `request` bounds it; the JSON-ready answer for the parent."""
    guids = set(request["guids"])
    try:
        if upload.stat().st_size > int(request["upload_bytes"]):
            raise Refused(f"The file is larger than {size_label(int(request['upload_bytes']))}.")
        collection = workdir / "collection.anki2"
        unpack_collection(upload, collection, int(request["unpacked_bytes"]))
        check_collection(collection, guids, int(request["max_answers"]), int(request["max_per_note"]))
        return {"ok": read_collection(collection, guids)}
    except Refused as refusal:
        return {"refused": str(refusal)}


def main() -> None:
    """Read the request from stdin, limit this process, answer on stdout."""
    request = json.loads(sys.stdin.read(REQUEST_MAX))
    limit_resources(int(request["memory_bytes"]), int(request["cpu_seconds"]), int(request["unpacked_bytes"]))
    answer = run(Path(sys.argv[1]), Path(sys.argv[2]), request)
    json.dump(answer, sys.stdout, separators=(",", ":"))


if __name__ == "__main__":
    main()
