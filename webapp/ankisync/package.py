"""Opening an uploaded Anki package safely and reading our notes' review history.

An `.apkg` (exported with scheduling) and a `.colpkg` (a backup) are both zip
files holding a collection: `collection.anki21b` (zstd-compressed SQLite, the
current format, named by the protobuf `meta` entry), or `collection.anki21` /
`collection.anki2` (plain SQLite, older exports). What Anki's own importer does
with them is what we do, with bounds it does not have, because the file comes
from a stranger:

- the upload is at most `ANKI_MAX_UPLOAD_BYTES`; the zip's declared sizes are
  summed before anything is unpacked (`ANKI_MAX_UNPACKED_BYTES`), and the
  collection is unpacked and zstd-decoded in chunks with the same bound counted
  on the bytes actually produced, so a zip or zstd bomb stops at the bound;
- only the collection file is unpacked, into a temporary folder, under a fixed
  name: media and entry names from the file are never written anywhere;
- the SQLite file is refused if it carries triggers or views (an Anki
  collection has none, and they are the one way SQL in a file runs on open);
- it is then opened with the official `anki` library and only read: revlog
  joined to cards and notes. No field, template or script is ever rendered.

A review's item is found by its note's GUID (see `quizzes.anki_identity`).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import zstandard

from webapp.platform.errors import WebappError

CHUNK = 1 << 20
MAX_ENTRIES = 200_000  # a collection with this many media files is not a study deck
META_MAX = 4096
SQLITE_MAGIC = b"SQLite format 3\x00"
# The collection file each package version holds (Anki's PackageMetadata.Version).
VERSION_FILES = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
# Revlog kinds that are answers: learning, review, relearning, filtered deck.
# Manual reschedules (4) and "set due date" (5) carry no button press.
ANSWER_KINDS = (0, 1, 2, 3)


class PackageError(WebappError):
    """The upload cannot be imported (the message is for the learner)."""


@dataclass(frozen=True)
class Limits:
    """Size bounds for one upload, from the app's config."""

    upload_bytes: int
    unpacked_bytes: int


@dataclass(frozen=True)
class AnkiReview:
    """One answer from Anki's revlog, for one of our items."""

    revlog_id: int  # Anki's id: the answer's time in milliseconds, unique in a collection
    item_id: str
    reviewed_at: dt.datetime
    button: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    interval: int  # Anki's new interval: days if positive, seconds if negative
    duration_ms: int  # time on the card, as Anki measured it
    kind: int  # 0 learning, 1 review, 2 relearning, 3 filtered deck


@dataclass(frozen=True)
class PackageContents:
    """What a package holds of ours: how many of our notes, and their answers."""

    notes_found: int
    reviews: list[AnkiReview]


def read_package(path: Path, guids: Mapping[str, str], limits: Limits, workdir: Path,
                 progress: Callable[[str, int], None] = lambda stage, percent: None) -> PackageContents:
    """Our notes' answers in the package at `path` (`guids`: note GUID -> item id).

    `workdir` is an empty temporary folder the caller removes afterwards.

    Raises:
        PackageError: the file is too big, not a package, a bomb, unreadable, or holds none of our notes.
    """
    if path.stat().st_size > limits.upload_bytes:
        raise PackageError(f"The file is larger than {size_label(limits.upload_bytes)}.")
    progress("Checking the file", 10)
    collection = workdir / "collection.anki2"
    _unpack_collection(path, collection, limits)
    _refuse_executable_schema(collection)
    progress("Opening the collection with Anki", 40)
    return _read_collection(collection, guids)


def size_label(size: int) -> str:
    """A size for people: "100 MB", "1.5 MB", "195 kB"."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return f"{megabytes:.0f} MB" if megabytes == int(megabytes) or megabytes >= 10 else f"{megabytes:.1f} MB"
    return f"{max(1, round(size / 1024))} kB"


def _unpack_collection(path: Path, target: Path, limits: Limits) -> None:
    not_package = PackageError("This is not an Anki package. Export from Anki as .apkg (with scheduling) or .colpkg.")
    if not zipfile.is_zipfile(path):
        raise not_package
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > limits.unpacked_bytes:
                raise _too_big(limits)
            names = {entry.filename for entry in entries}
            name = _collection_name(archive, names)
            if name is None:
                raise not_package
            with archive.open(name) as source, target.open("wb") as sink:
                if name.endswith("b"):
                    reader = zstandard.ZstdDecompressor().stream_reader(source, read_across_frames=True)
                    _copy_bounded(reader, sink, limits)
                else:
                    _copy_bounded(source, sink, limits)
    except PackageError:
        raise
    except (zipfile.BadZipFile, zstandard.ZstdError, NotImplementedError, EOFError, OSError, ValueError) as error:
        # A damaged archive, a bad CRC, an unknown compression or a broken zstd
        # stream: the learner's fix is the same, export again.
        raise PackageError("The package is damaged or incomplete. Export it from Anki again.") from error


def _too_big(limits: Limits) -> PackageError:
    return PackageError(f"The package unpacks to more than {size_label(limits.unpacked_bytes)}; it cannot be imported.")


def _collection_name(archive: zipfile.ZipFile, names: set[str]) -> str | None:
    """The collection entry, chosen like Anki does: by `meta`, else the newest legacy name present."""
    if "meta" in names and archive.getinfo("meta").file_size <= META_MAX:
        from anki.import_export_pb2 import PackageMetadata

        try:
            version = PackageMetadata.FromString(archive.read("meta")).version
        except Exception:  # protobuf's DecodeError; an unreadable meta is a damaged package
            return None
        name = VERSION_FILES.get(int(version))
        return name if name in names else None
    for name in ("collection.anki21", "collection.anki2"):
        if name in names:
            return name
    return None


def _copy_bounded(source: IO[bytes], sink: IO[bytes], limits: Limits) -> None:
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        if written > limits.unpacked_bytes:
            raise _too_big(limits)
        sink.write(chunk)


def _refuse_executable_schema(collection: Path) -> None:
    with collection.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise PackageError("The package holds no Anki collection. Export from Anki again.")
    try:
        # Read-only and with untrusted schema off: nothing in the file runs here.
        connection = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            (count,) = connection.execute(
                "SELECT count(*) FROM sqlite_master WHERE type IN ('trigger', 'view')").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise PackageError("The package's collection is damaged. Export from Anki again.") from error
    if count:
        raise PackageError("The package's collection is not one Anki made, so it was not opened.")


def _read_collection(collection: Path, guids: Mapping[str, str]) -> PackageContents:
    from anki.collection import Collection

    try:
        col = Collection(str(collection))
    except Exception as error:  # the anki library raises its own DBError, BackendError, ...
        raise PackageError("Anki could not open the package's collection. Export it again.") from error
    try:
        db = col.db
        if db is None:
            raise PackageError("Anki could not open the package's collection. Export it again.")
        found = [guid for guid in db.list("SELECT guid FROM notes") if guid in guids]
        rows = db.all(
            "SELECT r.id, n.guid, r.ease, r.ivl, r.time, r.type FROM revlog r"
            " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid ORDER BY r.id"
        )
    except PackageError:
        raise
    except Exception as error:
        raise PackageError("Anki could not read the package's collection. Export it again.") from error
    finally:
        col.close(downgrade=False)
        shutil.rmtree(collection.parent / "collection.media", ignore_errors=True)
    if not found:
        raise PackageError("The package holds none of this course's notes. Export the Massage Safety deck.")
    reviews = [
        AnkiReview(
            revlog_id=int(revlog_id), item_id=guids[guid],
            reviewed_at=dt.datetime.fromtimestamp(int(revlog_id) / 1000, dt.timezone.utc),
            button=int(ease), interval=int(ivl), duration_ms=max(0, int(taken)), kind=int(kind),
        )
        for revlog_id, guid, ease, ivl, taken, kind in rows
        if guid in guids and kind in ANSWER_KINDS and ease in (1, 2, 3, 4)
    ]
    return PackageContents(notes_found=len(found), reviews=reviews)
