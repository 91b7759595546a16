"""The course's notes as the Anki add-on receives them: the course's fields and tags, never `Personal notes`.

The add-on (`anki_addon/`) updates a learner's notes field by field, so it needs
what a package holds, without the package: each note's GUID, note type, deck,
the fields the course owns (every field but `Personal notes`, which is the
learner's), the course's tags, the note's time from the ledger, and a digest
of exactly those fields and tags (`content_digest`, the rule the add-on
repeats on its copy, so it can tell a note that differs whatever the times say).

The web app may not import `decks`, so `commands` hands `note_feed` to it
(`ANKI_NOTE_FEED`), as it does the package builder.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from decks.ids import epoch_seconds, module_deck_name
from decks.ledger import Ledger, note_digest
from decks.models import COMMON_FIELDS
from decks.notes import Lookup, to_note
from quizzes.bank import Bank

LEARNER_FIELDS = (COMMON_FIELDS[-1],)  # "Personal notes": the learner's words, never sent, never touched


def content_digest(fields: Sequence[str], tags: Sequence[str]) -> str:
    """A digest of a note's course fields (in order) and course tags (in any order, any case).

    The add-on computes the same on the learner's copy (anki_addon.sync.content_digest):
    Anki may re-case a tag to match one already in the collection, so tags are compared lower-cased.
    """
    shown = {"fields": list(fields), "tags": sorted({tag.lower() for tag in tags})}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def note_feed(bank: Bank, *, ledger: Ledger | None = None, public_url: str | None = None) -> list[dict[str, Any]]:
    """Every note of the course as JSON-ready dicts, in bank order (see the module docstring for the keys).

    Raises:
        DecksError: a question that cannot become a note.
    """
    ledger = Ledger.load() if ledger is None else ledger
    lookup, canonical = Lookup.of(bank.course, public_url), Lookup.of(bank.course)
    titles = {module.id: module.title for module in bank.modules}
    digests: dict[str, str] = {}
    notes = []
    for question in bank.questions:
        note = to_note(question, lookup)
        # The ledger's digest is of the note without links, as decks.package.assemble records it.
        digests[question.id] = note_digest(note if public_url is None else to_note(question, canonical))
        names = [field["name"] for field in note.model.fields]
        course = [(name, value) for name, value in zip(names, note.fields) if name not in LEARNER_FIELDS]
        notes.append({
            "guid": note.guid, "item_id": question.id,
            "note_type": {"id": note.model.model_id, "name": note.model.name, "fields": names},
            "deck": module_deck_name(titles[question.module]),
            "fields": dict(course), "tags": list(note.tags),
            "digest": content_digest([value for _, value in course], note.tags),
        })
    times = ledger.times(digests, floor=epoch_seconds(bank.course.release))
    for entry in notes:
        entry["mod"] = times[entry["item_id"]]
    return notes
