"""The Anki note GUID of a question: one rule for the deck builder and for reading learners' collections.

Anki recognises a note it already has by its GUID, so the GUID comes from the
permanent question id alone (never from field text, which editors change):
the first 64 bits of SHA-256("massage-safety__<item id>"), written in Anki's
base-91 alphabet. That is what genanki's `guid_for("massage-safety", item_id)`
gives, so decks built before this module keep their notes;
`tests/quizzes/test_anki_identity.py` holds the two equal for every item.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable

NAMESPACE = "massage-safety"
# Anki's base-91 digits: letters, then digits, then these printable signs.
BASE91_DIGITS = string.ascii_letters + string.digits + "!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def base91(number: int) -> str:
    """`number` (≥ 0) in Anki's base 91, most significant digit first ("" for 0, as Anki writes it)."""
    digits = []
    while number:
        number, digit = divmod(number, len(BASE91_DIGITS))
        digits.append(BASE91_DIGITS[digit])
    return "".join(reversed(digits))


def note_guid(item_id: str) -> str:
    """The GUID of the Anki note for `item_id`."""
    digest = hashlib.sha256(f"{NAMESPACE}__{item_id}".encode()).digest()
    return base91(int.from_bytes(digest[:8], "big"))


def guid_map(item_ids: Iterable[str]) -> dict[str, str]:
    """Note GUID -> item id for `item_ids`."""
    return {note_guid(item_id): item_id for item_id in item_ids}
