"""The add-on's sync, on `anki.collection.Collection` alone (no Qt): pull the course's notes, push the answers.

Pull. The server lists every current note's GUID with a digest of the fields
and tags the course owns (`content_digest`, the rule `decks.feed` uses), and
sends the whole notes changed since the last sync. Any note whose copy here has
a different digest is fetched as well, whatever the note times say (Anki's own
import compares times and skips a note the learner has touched). A note is
then updated field by field:
- the course's fields take the course's text;
- `Personal notes`, and any field the course does not send, stay as they are;
- tags outside `MSC::` (the learner's own, `marked`, `leech`) stay; the `MSC::` tags become the course's;
- the card's scheduling, flags and suspension are never touched.
A note the collection lacks is added to its module's deck (its note type must
already be here, from the course's deck). A course note the server no longer
lists is tagged `MSC::retired` (never deleted: its history is the learner's).

Push. The answers of course cards after the last one sent go to the server in
chunks; an answer the server refuses (dated in the future) is remembered and not
sent again; answers it holds back for tomorrow's allowance are sent next time.

What was done comes back as a `Report` ("12 notes updated, 3 retired, 140 reviews sent").
The state between syncs (`since`, the last answer sent, refused ones) lives in the
collection's config, so it travels with the profile.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from anki.collection import Collection

STATE_KEY = "massageSafetySync"
COURSE_TAG = "msc::"  # the course's tag namespace, compared lower-cased (Anki's tags are case-insensitive)
RETIRED_TAG = "MSC::retired"
LEARNER_FIELDS = ("Personal notes",)
PUSH_CHUNK = 1_000
FETCH_CHUNK = 500
# Revlog kinds that are answers (learning, review, relearning, filtered); the server applies its own rules too.
ANSWER_KINDS = (0, 1, 2, 3)


class Api(Protocol):
    """What the sync needs of a client (`anki_addon.client.ApiClient`)."""

    def get(self, path: str, **query: str | int) -> Any:
        """GET a JSON reply."""

    def post(self, path: str, body: Any) -> Any:
        """POST JSON, get a JSON reply."""


@dataclass
class Report:
    """What one sync did."""

    updated: int = 0
    added: int = 0
    retired: int = 0
    restored: int = 0  # notes that came back to the course and lost their retired tag
    reviews_sent: int = 0
    reviews_known: int = 0
    held_back: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)
    missing_note_types: int = 0  # new notes that need the course deck imported first

    def summary(self) -> str:
        """One line for the learner, e.g. "12 notes updated, 3 retired, 140 reviews sent"."""
        parts = [_count(self.updated, "note") + " updated", f"{self.retired} retired",
                 _count(self.reviews_sent, "review") + " sent"]
        if self.added:
            parts.insert(1, _count(self.added, "new note") + " added")
        if self.restored:
            parts.append(_count(self.restored, "note") + " back in the course")
        if self.refused:
            reasons = sorted({reason for _, reason in self.refused})
            parts.append(_count(len(self.refused), "review") + f" refused ({', '.join(reasons)})")
        if self.held_back:
            parts.append(f"{self.held_back} more to send next time (daily limit)")
        if self.missing_note_types:
            parts.append(_count(self.missing_note_types, "new note") + " skipped: import the course deck "
                         "from the course's Decks page first")
        return ", ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def content_digest(fields: Sequence[str], tags: Iterable[str]) -> str:
    """The digest of a note's course fields (in order) and course tags; the same rule as `decks.feed`."""
    shown = {"fields": list(fields), "tags": sorted({tag.lower() for tag in tags})}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def is_course_tag(tag: str) -> bool:
    """True for the course's tags (`MSC::...`), which the course owns; every other tag is the learner's."""
    return tag.lower().startswith(COURSE_TAG)


def _course_fields(names: Sequence[str]) -> list[str]:
    return [name for name in names if name not in LEARNER_FIELDS]


def _local_digest(col: Collection, note_id: int) -> str:
    note = col.get_note(note_id)  # type: ignore[arg-type]
    names = _course_fields(note.keys())
    return content_digest([note[name] for name in names], [tag for tag in note.tags if is_course_tag(tag)])


def load_state(col: Collection) -> dict[str, Any]:
    """The sync's state kept in the collection: `since`, `pushed_through`, `refused` revlog ids."""
    state = col.get_config(STATE_KEY, None)
    base: dict[str, Any] = {"since": 0, "pushed_through": 0, "refused": []}
    if isinstance(state, dict):
        base.update({key: state[key] for key in base if key in state})
    return base


def sync(col: Collection, api: Api, now_ms: int | None = None) -> Report:
    """Pull the course's notes into `col`, push its new answers of course cards; what was done.

    Raises:
        anki_addon.client.SyncError: the server could not be reached or refused the token;
            the notes already updated stay updated (each note is saved on its own).
    """
    report = Report()
    state = load_state(col)
    listing = api.get("notes", since=int(state["since"]))
    current: dict[str, str] = listing["current"]
    notes = {note["guid"]: note for note in listing["notes"]}
    assert col.db is not None
    local = {guid: (int(nid), int(mid)) for nid, guid, mid in col.db.all("SELECT id, guid, mid FROM notes")}
    # Whatever the times say: a copy whose course fields or tags differ is fetched too.
    differing = [guid for guid, digest in current.items()
                 if guid in local and guid not in notes and _local_digest(col, local[guid][0]) != digest]
    for start in range(0, len(differing), FETCH_CHUNK):
        for note in api.post("notes", {"guids": differing[start:start + FETCH_CHUNK]})["notes"]:
            notes[note["guid"]] = note
    for guid, incoming in notes.items():
        if guid in local:
            outcome = _update(col, local[guid][0], incoming)
            report.updated += outcome == "updated"
            report.restored += outcome == "restored"
        else:
            report.added += _add(col, incoming, report)
    course_types = {mid for guid, (_, mid) in local.items() if guid in current}
    course_types |= {int(note["note_type"]["id"]) for note in notes.values()}
    for guid, (nid, mid) in local.items():
        if guid not in current and mid in course_types:
            report.retired += _retire(col, nid)
    _push(col, api, current, state, report, int(time.time() * 1000) if now_ms is None else now_ms)
    state["since"] = int(listing["release"])
    col.set_config(STATE_KEY, state)
    return report


def _update(col: Collection, note_id: int, incoming: dict[str, Any]) -> str | None:
    """Write the course's fields and tags over the copy's: "updated", "restored" (it was retired) or None."""
    note = col.get_note(note_id)  # type: ignore[arg-type]
    changed = False
    names = set(note.keys())
    for name, value in incoming["fields"].items():
        if name in names and name not in LEARNER_FIELDS and note[name] != value:
            note[name] = value
            changed = True
    had_retired = any(tag.lower() == RETIRED_TAG.lower() for tag in note.tags)
    tags = [tag for tag in note.tags if not is_course_tag(tag)] + list(incoming["tags"])
    if sorted(tag.lower() for tag in tags) != sorted(tag.lower() for tag in note.tags):
        note.tags = tags
        changed = True
    if not changed:
        return None
    col.update_note(note)
    return "restored" if had_retired else "updated"


def _add(col: Collection, incoming: dict[str, Any], report: Report) -> int:
    """Add a note new to the collection, in its module's deck; 0 when its note type is not here."""
    kind = incoming["note_type"]
    notetype = col.models.get(int(kind["id"])) or col.models.by_name(str(kind["name"]))  # type: ignore[arg-type]
    if notetype is None:
        report.missing_note_types += 1
        return 0
    note = col.new_note(notetype)
    note.guid = incoming["guid"]
    names = set(note.keys())
    for name, value in incoming["fields"].items():
        if name in names and name not in LEARNER_FIELDS:
            note[name] = value
    note.tags = list(incoming["tags"])
    deck_id = col.decks.id(str(incoming["deck"]), create=True)
    assert deck_id is not None
    col.add_note(note, deck_id)
    return 1


def _retire(col: Collection, note_id: int) -> int:
    """Tag a course note the course no longer has; 1 if it was not tagged yet."""
    note = col.get_note(note_id)  # type: ignore[arg-type]
    if not any(is_course_tag(tag) for tag in note.tags):
        return 0  # the learner's own note of a course note type: not ours to retire
    if any(tag.lower() == RETIRED_TAG.lower() for tag in note.tags):
        return 0
    note.tags = [*note.tags, RETIRED_TAG]
    col.update_note(note)
    return 1


def _push(col: Collection, api: Api, current: dict[str, str], state: dict[str, Any], report: Report,
          now_ms: int) -> None:
    """Send the answers of course cards after the last one sent, in chunks; update the state and the report."""
    assert col.db is not None
    refused_before = set(state["refused"])
    rows = [
        {"id": int(rid), "guid": guid, "ord": int(ord_), "ease": int(ease), "ivl": int(ivl), "time": int(taken),
         "type": int(kind), "factor": int(factor), "nid": int(nid)}
        for rid, guid, ord_, ease, ivl, taken, kind, factor, nid in col.db.all(
            "SELECT r.id, n.guid, c.ord, r.ease, r.ivl, r.time, r.type, r.factor, n.id FROM revlog r"
            " JOIN cards c ON c.id = r.cid JOIN notes n ON n.id = c.nid WHERE r.id > ? ORDER BY r.id",
            int(state["pushed_through"]))
        if guid in current and int(rid) not in refused_before
    ]
    through = int(state["pushed_through"])
    for start in range(0, len(rows), PUSH_CHUNK):
        chunk = rows[start:start + PUSH_CHUNK]
        reply = api.post("reviews", {"reviews": chunk})
        report.reviews_sent += int(reply["added"])
        report.reviews_known += int(reply["known"])
        refused = [(int(item["id"]), str(item["reason"])) for item in reply["refused"]]
        report.refused += refused
        state["refused"] = sorted(set(state["refused"]) | {rid for rid, _ in refused})
        if reply.get("resend_from") is not None:
            report.held_back += int(reply["held_back"])
            through = max(through, int(reply["resend_from"]) - 1)
            break
        # Never past this machine's clock: a refused future answer must not hide the real ones made before it.
        through = max([through] + [row["id"] for row in chunk if row["id"] <= now_ms])
    state["pushed_through"] = through
