"""Identity of everything we put into Anki: note GUIDs, deck ids, model ids, times.

Anki recognises a note it already has by its GUID, a note type by its id and a
deck by its name, and it applies an update only when the incoming note's
modification time is newer than the learner's copy. So all of these come from
permanent content ids (and note times from the committed ledger, decks.ledger),
never from field text, positions or the clock: the same content always builds
the same package, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from quizzes.anki_identity import note_guid

__all__ = ["note_guid"]  # the GUID rule lives in quizzes, beside the question ids; re-exported for the deck code

# Generated once with random.randrange(1 << 30, 1 << 31) and written down. A
# note type's fields are a contract with every learner's collection: changing
# them needs a NEW id here (and a migration note in the README), because Anki
# refuses to update notes whose note type has different fields. With a new id,
# a default import leaves the learner's old notes alone (Anki logs them as
# "conflicting") and adds nothing twice; importing once with "Merge note types"
# moves them to the new type, with their history (tests/decks/test_migration.py).
#
# Second generation (2026-11): Lesson, Personal notes and the reverse card's own
# answer added; the cloze text moved to the first field (Anki checks duplicates
# by the first field, and 16 cloze prompts were the same sentence).
MODEL_BASIC_ID = 2133576105
MODEL_CLOZE_ID = 1445948403
MODEL_CHOICE_ID = 1290079480
MODEL_BODY_MAP_ID = 1870914702

# Retired ids, never to be reused: learners' collections may still hold them.
FIRST_MODEL_IDS = {"basic": 1610146801, "cloze": 1359702649, "choice": 1179070733, "body map": 1987593927}

ROOT_DECK_ID = 2132155734
ROOT_DECK_NAME = "Massage Safety"

_DECK_ID_BASE = 1 << 30


def module_deck_id(module_id: str) -> int:
    """A fixed deck id for a module, derived from its permanent id (in genanki's id range)."""
    digest = hashlib.sha256(f"massage-safety:deck:{module_id}".encode()).digest()
    return _DECK_ID_BASE + int.from_bytes(digest[:8], "big") % _DECK_ID_BASE


def module_deck_name(module_title: str) -> str:
    """The subdeck a module's notes go to, e.g. `Massage Safety::Endangerment sites`.

    Anki's hierarchy separator is `::`, so a title containing it would nest one
    level deeper than intended; it is replaced by a colon.
    """
    return f"{ROOT_DECK_NAME}::{module_title.replace('::', ':')}"


def epoch_seconds(day: dt.date) -> int:
    """00:00 UTC of `day` as Unix seconds (the release: the earliest time a note can get)."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


def body_map_media_name(site_id: str) -> str:
    """The media file of the body map with `site_id` highlighted (one per site, shared by its notes)."""
    return f"msc-bodymap-{site_id}.svg"
