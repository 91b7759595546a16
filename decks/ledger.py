"""The note ledger, `decks/notes.lock`: when each note last changed what a learner sees.

Anki applies an incoming note over the learner's copy only when the incoming
modification time is newer, and then it overwrites the whole note: fields and
tags, including the tags and lines a learner added. So a note's time must move
exactly when what the learner sees of it moves, and never otherwise:

- Each note has a digest of its own content: its note type's id, its fields
  and the tags we set (decks.notes makes the note). Each note type has one too
  (`note-type:<id>`), of its look: fields, templates and CSS. The two move
  apart. Anki replaces a learner's note type (and any CSS they adjusted) only
  with a newer one, and renders every card from its note type, so a styling or
  template change moves the note type alone: the notes keep their times, and
  with them the learner's tags and Personal notes.
- The ledger maps note id -> digest -> the second that digest was first seen.
  `massage-course decks build` (`make decks`) rewrites it when a digest changes;
  it is committed with the content, so every build of the same content, on any
  machine or web worker, gives every note the same time.
- A changed or new note gets the build's clock, but never a time at or before
  the newest time already in the ledger: each release's times are later than
  every earlier release's, to the second, even with a wrong clock and even for
  two releases on one day.

- A note that leaves the course stays, as `retired`, with the time it left and
  its shape (note type, cards, module), recorded for every note: the packages
  carry a notice in its place (decks.retired), so it reaches the learners who
  have it, tagged `MSC::retired`.

Building a package only reads the ledger, and refuses one that does not know a
note's digest (content edited without `make decks`): such a note has no time
of its own, so a second unrecorded edit would never reach a learner who got
the first. The app refuses to start on such a ledger, and the test suite
insists the committed ledger is current.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import genanki

from decks.errors import DecksError

LEDGER_PATH = Path(__file__).with_name("notes.lock")
REGENERATE = "make decks"  # what an author runs when the ledger is out of date (or `massage-course decks build`)

_HEADER = (
    "# When each Anki note last changed what a learner sees (see decks/ledger.py).\n"
    "# Written by `massage-course decks build` (`make decks`); commit it with the content.\n"
    "# note id, digest of what the note shows (or `retired`: it left the course), first seen (Unix seconds),\n"
    "# the same in UTC, note type:card ordinals:module\n"
)


RETIRED = "retired"  # the digest column of a note that left the course


@dataclass(frozen=True)
class Shape:
    """What a note is in a learner's collection, kept so a retired note can still be addressed.

    Anki updates a note only under the note type it already has, and a cloze
    note's cards are its cloze numbers; the module names the packages it belongs to.
    """

    model: int  # note type id
    ords: tuple[int, ...]  # card ordinals (template index, or cloze number - 1)
    module: str

    def text(self) -> str:
        """The ledger's fifth column, e.g. `2133576105:0,1:endangerment-sites`."""
        return f"{self.model}:{','.join(map(str, self.ords))}:{self.module}"

    @classmethod
    def parse(cls, text: str) -> Shape:
        """The inverse of `text`.

        Raises:
            ValueError: not `model:ords:module`.
        """
        model, ords, module = text.split(":")
        if not module:
            raise ValueError(text)
        return cls(int(model), tuple(int(o) for o in ords.split(",")), module)


@dataclass(frozen=True)
class Entry:
    """One note in the ledger: the digest of what it shows, when that digest was first seen, and its shape.

    A note that left the course keeps its entry with the digest `RETIRED` and
    the time it left: the packages then carry a notice in its place (decks.retired).
    """

    digest: str
    seconds: int
    shape: Shape | None = None  # None for note types, and for notes written before shapes were kept

    @property
    def retired(self) -> bool:
        """Whether the note has left the course."""
        return self.digest == RETIRED


@dataclass(frozen=True)
class Ledger:
    """Note id -> `Entry`; immutable, so a build can never change the ledger it reads."""

    entries: Mapping[str, Entry] = field(default_factory=dict)

    @property
    def newest(self) -> int:
        """The latest time in the ledger (0 when empty)."""
        return max((entry.seconds for entry in self.entries.values()), default=0)

    def stale(self, digests: Mapping[str, str]) -> list[str]:
        """Note ids whose ledger entry is missing, different from `digests`, or of a note that is gone; sorted.

        A note already recorded as retired is not stale for being gone.
        """
        changed = {note for note, digest in digests.items()
                   if note not in self.entries or self.entries[note].digest != digest}
        gone = {note for note, entry in self.entries.items() if note not in digests and not entry.retired}
        return sorted(changed | gone)

    def retired(self) -> dict[str, Entry]:
        """The notes that left the course and can still be addressed (their shape is known), by id."""
        return {note: entry for note, entry in sorted(self.entries.items())
                if entry.retired and entry.shape is not None}

    def require_current(self, digests: Mapping[str, str], source: str = "decks/notes.lock") -> None:
        """Refuse to build or serve notes this ledger has no time for.

        A note edited without `make decks` has no time of its own: whatever it
        got, a second unrecorded edit would get the same one, and Anki, seeing
        no newer time, would keep the first edit in every learner's collection.

        Raises:
            DecksError: a note of `digests` is missing from the ledger or has another digest there.
        """
        unknown = sorted(note for note, digest in digests.items()
                         if note not in self.entries or self.entries[note].digest != digest)
        if unknown:
            shown = ", ".join(unknown[:5]) + (f" and {len(unknown) - 5} more" if len(unknown) > 5 else "")
            raise DecksError(
                f"{source} is out of date with the content: {len(unknown)} Anki notes changed or appeared since it "
                f"was written ({shown}). Run `{REGENERATE}` (or `massage-course decks build`) and commit {source} "
                "with the content, so each change reaches learners with a time of its own.")

    def updated(self, digests: Mapping[str, str], now: int, shapes: Mapping[str, Shape] | None = None) -> Ledger:
        """The ledger for notes with `digests` (note id -> digest) at Unix second `now`.

        Unchanged notes keep their time; changed and new ones get `now`, or one
        second after the newest time in this ledger if the clock is behind it.
        `shapes` (note id -> Shape) are recorded beside the notes; a note no
        longer in `digests` whose shape is known becomes retired at that time,
        and stays so; one without a shape (a note type) is dropped. A note that
        comes back is changed again, with a time later than any it had.
        """
        shapes = shapes or {}
        when = max(now, self.newest + 1)
        entries = {}
        for note, digest in sorted(digests.items()):
            entry = self.entries.get(note)
            shape = shapes.get(note, entry.shape if entry is not None else None)
            entries[note] = (Entry(digest, entry.seconds, shape) if entry is not None and entry.digest == digest
                             else Entry(digest, when, shape))
        for note, entry in sorted(self.entries.items()):
            if note in digests or entry.shape is None:
                continue
            entries[note] = entry if entry.retired else Entry(RETIRED, when, entry.shape)
        return Ledger(entries)

    def times(self, digests: Mapping[str, str], floor: int = 0) -> dict[str, int]:
        """Note id -> modification time (Unix seconds) for notes with `digests`.

        A note the ledger does not know with this digest gets one second after
        the newest time in the ledger (later than any copy built from it), or
        `floor` (e.g. the release) if that is later: an empty ledger gives no 1970 times.
        """
        fallback = max(self.newest + 1, floor)
        return {note: entry.seconds if (entry := self.entries.get(note)) is not None and entry.digest == digest
                else fallback for note, digest in digests.items()}

    def dumps(self) -> str:
        """The ledger file's text: a header, then one line per note, sorted by id (stable diffs)."""
        lines = [_HEADER]
        for note, entry in sorted(self.entries.items()):
            when = dt.datetime.fromtimestamp(entry.seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            shape = f" {entry.shape.text()}" if entry.shape is not None else ""
            lines.append(f"{note} {entry.digest} {entry.seconds} {when}{shape}\n")
        return "".join(lines)

    @classmethod
    def loads(cls, text: str, source: str = "notes.lock") -> Ledger:
        """Parse a ledger file's text (the UTC column is for people and is not read).

        Raises:
            DecksError: a line that is not `id digest seconds [utc]`, or an id listed twice.
        """
        entries: dict[str, Entry] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) not in (3, 4, 5) or not parts[2].isdigit():
                raise DecksError(f"{source}:{number}: expected 'note-id digest seconds [utc [shape]]', got {line!r}")
            if parts[0] in entries:
                raise DecksError(f"{source}:{number}: note '{parts[0]}' is listed twice")
            try:
                shape = Shape.parse(parts[4]) if len(parts) == 5 else None
            except ValueError:
                raise DecksError(f"{source}:{number}: expected a shape 'note-type:ords:module', got {parts[4]!r}") from None
            entries[parts[0]] = Entry(parts[1], int(parts[2]), shape)
        return cls(entries)

    @classmethod
    def load(cls, path: Path = LEDGER_PATH) -> Ledger:
        """The ledger at `path`; an empty one if there is no file yet.

        Raises:
            DecksError: the file cannot be read or parsed.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls()
        except OSError as error:
            raise DecksError(f"cannot read the note ledger {path}: {error}") from None
        return cls.loads(text, str(path))

    def save(self, path: Path = LEDGER_PATH) -> None:
        """Write the ledger to `path` (atomically: a reader never sees half a file)."""
        partial = path.with_name(f".{path.name}.partial")
        partial.write_text(self.dumps(), encoding="utf-8")
        partial.replace(path)


def note_type_key(model: genanki.Model) -> str:
    """The ledger id of a note type, e.g. `note-type:2133576105` (a colon: never a content id)."""
    return f"note-type:{model.model_id}"


def model_digest(model: genanki.Model) -> str:
    """A digest of a note type's look: its name, fields, templates and CSS."""
    # Named keys only: genanki adds its defaults to these dicts when it writes a package.
    look = [model.model_id, model.name, [f["name"] for f in model.fields],
            [[t["name"], t["qfmt"], t["afmt"]] for t in model.templates], model.css, model.model_type,
            model.sort_field_index]
    return _digest(look)


def note_digest(note: genanki.Note) -> str:
    """A digest of `note`'s own content: its note type's id, its fields and tags.

    The note type's look (templates, CSS) is not part of it: Anki applies a
    newer note type on its own and renders every card from it, while a newer
    note overwrites the learner's whole note. A field added to the note type
    still moves the notes, as their field list changes.
    """
    return _digest({"model": note.model.model_id, "fields": list(note.fields), "tags": list(note.tags)})


def _digest(shown: object) -> str:
    # 16 hex digits: collisions are not a concern at a few hundred notes, and the ledger stays readable.
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]
