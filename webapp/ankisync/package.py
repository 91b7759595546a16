"""Opening an uploaded Anki package in a separate, bounded process and reading our notes' review history.

An `.apkg` (exported with scheduling) and a `.colpkg` (a backup) are both zip
files holding a collection: `collection.anki21b` (zstd-compressed SQLite, the
current format, named by the protobuf `meta` entry), or `collection.anki21` /
`collection.anki2` (plain SQLite, older exports). The file comes from a
stranger, so nothing of it is opened in the web worker: `read_package` runs
`webapp/ankisync/sandbox.py` as a child process (see there for the checks, in
order) with an address-space, CPU-time and file-size limit it sets on itself
and a wall-clock limit this side enforces by killing it. The worker sends the
course's note GUIDs and the bounds on stdin and reads back our notes' answers,
at most `max_answers` of them, as JSON.

A review's item is found by its note's GUID (see `quizzes.anki_identity`).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess  # nosec B404: runs our own sandbox script with the interpreter running us, no shell
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from webapp.ankisync.sandbox import size_label
from webapp.platform.errors import WebappError

SANDBOX = Path(__file__).with_name("sandbox.py")
__all__ = ["AnkiReview", "Limits", "PackageContents", "PackageError", "moment", "read_package", "size_label"]


class PackageError(WebappError):
    """The upload cannot be imported (the message is for the learner)."""


@dataclass(frozen=True)
class Limits:
    """Bounds for reading one upload, from the app's config (`webapp.ankisync.jobs.limits`)."""

    upload_bytes: int
    unpacked_bytes: int
    max_answers: int = 20_000  # our notes' answers in one file
    max_per_note: int = 300  # answers to one note
    memory_bytes: int = 512 * 1024 * 1024  # the reader's address space
    cpu_seconds: int = 20
    wall_seconds: float = 60.0


@dataclass(frozen=True)
class AnkiReview:
    """One answer from Anki's revlog, for one of our items."""

    revlog_id: int  # Anki's id: the answer's time in milliseconds, unique in a collection
    item_id: str
    reviewed_at: dt.datetime
    button: int  # 1 Again, 2 Hard, 3 Good, 4 Easy
    interval: int  # Anki's new interval: days if positive, seconds if negative
    duration_ms: int  # time on the card, as Anki measured it
    kind: int  # 0 learning, 1 review, 2 relearning, 3 filtered deck, 4 manual (button 0: a reset)
    factor: int = 0  # Anki's ease factor in permille; 0 on a filtered-deck preview and on a reset
    card_ord: int = 0  # which card of the note: 0 the note's question, 1+ a reverse, cloze c2.., "at risk" card
    note_created: dt.datetime | None = None  # the note's id in the collection is its creation time


@dataclass(frozen=True)
class PackageContents:
    """What a package holds of ours: how many of our notes, and their answers."""

    notes_found: int
    reviews: list[AnkiReview]


def moment(milliseconds: int) -> dt.datetime:
    """An Anki id (milliseconds since 1970) as a UTC time; one out of range is pinned to the ends of time.

    Ids come from the file, so an edited one may lie outside what a datetime holds; pinned, it is
    refused by the guards (dated in the future, or before its note) instead of failing the import.
    """
    try:
        return dt.datetime.fromtimestamp(milliseconds / 1000, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        edge = dt.datetime.max if milliseconds > 0 else dt.datetime.min
        return edge.replace(tzinfo=dt.timezone.utc)


def read_package(path: Path, guids: Mapping[str, str], limits: Limits, workdir: Path,
                 progress: Callable[[str, int], None] = lambda stage, percent: None) -> PackageContents:
    """Our notes' answers in the package at `path` (`guids`: note GUID -> item id), read by the sandbox.

    `workdir` is an empty temporary folder the caller removes afterwards.

    Raises:
        PackageError: the file is too big, not a package, a bomb, not Anki's schema, holds too many
            answers or none of our notes, or its reading went over the memory, CPU or time bounds.
    """
    if path.stat().st_size > limits.upload_bytes:
        raise PackageError(f"The file is larger than {size_label(limits.upload_bytes)}.")
    progress("Checking the file and opening it with Anki", 10)
    request = {"guids": sorted(guids), "upload_bytes": limits.upload_bytes, "unpacked_bytes": limits.unpacked_bytes,
               "max_answers": limits.max_answers, "max_per_note": limits.max_per_note,
               "memory_bytes": limits.memory_bytes, "cpu_seconds": limits.cpu_seconds}
    over = PackageError("Reading this file needed more memory or time than an import may use, so it was stopped. "
                        "Export only the Massage Safety deck (.apkg) and upload that.")
    try:
        # -I: no user site-packages, no PYTHON* variables, no script folder on the path.
        done = subprocess.run(  # nosec B603: fixed argv, no shell
            [sys.executable, "-I", str(SANDBOX), str(path), str(workdir)], input=json.dumps(request).encode(),
            capture_output=True, timeout=limits.wall_seconds, cwd=workdir, check=False)
    except subprocess.TimeoutExpired as error:  # run() has killed it
        raise over from error
    try:
        answer = json.loads(done.stdout) if done.returncode == 0 else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise over
    if "refused" in answer:
        raise PackageError(str(answer["refused"]))
    found = answer["ok"]
    reviews = [
        AnkiReview(
            revlog_id=revlog_id, item_id=guids[guid], reviewed_at=moment(revlog_id),
            button=ease, interval=ivl, duration_ms=taken, kind=kind, factor=factor, card_ord=ordinal,
            note_created=moment(note_id),
        )
        for revlog_id, guid, ease, ivl, taken, kind, factor, ordinal, note_id in found["answers"]
    ]
    return PackageContents(notes_found=int(found["notes_found"]), reviews=reviews)
