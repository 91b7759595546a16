"""Which Anki note is which item: the note GUID the deck builder gives each item id.

The decks carry `decks.ids.note_guid(item_id)`: the first 64 bits of
SHA-256("massage-safety__<item id>") in Anki's base91 (genanki's `guid_for`).
The web app may not import `decks`, so the rule is restated here with Anki's own
base91, and `tests/webapp/ankisync/test_guids.py` holds the two equal for every
item of the course.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from anki.utils import base91

NAMESPACE = "massage-safety"


def note_guid(item_id: str) -> str:
    """The GUID of the Anki note for `item_id`."""
    digest = hashlib.sha256(f"{NAMESPACE}__{item_id}".encode()).digest()
    return base91(int.from_bytes(digest[:8], "big"))


def guid_map(item_ids: Iterable[str]) -> dict[str, str]:
    """Note GUID -> item id for `item_ids`."""
    return {note_guid(item_id): item_id for item_id in item_ids}
