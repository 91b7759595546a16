"""Which of Anki's revlog entries count as answers to the app's items: the rules Anki's own FSRS uses.

- A filtered-deck preview, or cramming with "reschedule cards based on my
  answers" off, is logged as kind 3 (filtered) with ease factor 0: Anki's FSRS
  leaves it out of a card's memory, and so does the app (it is not counted).
- A manual entry with no button and ease factor 0 is a reset ("Forget"):
  Anki's FSRS keeps only the entries after the last one, so the app's memory
  of the item is replayed from it (`ItemState.memory_from`); the answers before
  it stay in the history and the class figures: they were given. Older Anki
  versions wrote no entry for a reset; there a learning answer right after a
  review or relearning one starts the last learning block, and the memory
  starts with it (a lapse goes to relearning, never back to learning).
- Each card of a note has its own meaning. The app's item is the question the
  browser asks, which is the note's first card (ord 0: the forward side, the
  cloze's c1, "Name this site"). A reverse card, a cloze's c2/c3 and the body
  map's "What is at risk here" ask something else that has no item of its own,
  so their answers are left out (counted as such), never merged into the item.

Pure: no Flask, SQL or clock; `sort_out` takes the entries and returns what counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from webapp.ankisync.package import AnkiReview

LEARNING, REVIEW, RELEARNING, FILTERED, MANUAL = 0, 1, 2, 3, 4
MAIN_CARD = 0
# Why an entry was left out, for the learner's import page.
SKIPPED_LABELS = {
    "preview": "previews or cramming in a filtered deck that did not reschedule (Anki does not count them either)",
    "other_card": "answers to a note's other cards (reverse, cloze c2 and on, \"What is at risk here\"), "
                  "which ask something the app's question does not",
}


@dataclass(frozen=True)
class Sorted:
    """An upload's entries sorted out: the answers that count, the items' last resets, what was left out."""

    answers: list[AnkiReview]
    resets: dict[str, dt.datetime]  # item id -> time of the last reset in this upload
    skipped: Counter[str] = field(default_factory=Counter)


def is_preview(entry: AnkiReview) -> bool:
    """A filtered-deck answer that did not reschedule the card."""
    return entry.kind == FILTERED and entry.factor == 0


def is_reset(entry: AnkiReview) -> bool:
    """Anki's record of "Forget" / reset: a manual entry with no button and no ease factor."""
    return entry.kind == MANUAL and entry.button == 0 and entry.factor == 0


def sort_out(entries: Iterable[AnkiReview]) -> Sorted:
    """The entries that count as answers to items, the last reset of each item, and what was left out why."""
    answers: list[AnkiReview] = []
    resets: dict[str, dt.datetime] = {}
    skipped: Counter[str] = Counter()
    last_kind: dict[str, int] = {}
    for entry in sorted(entries, key=lambda e: (e.reviewed_at, e.revlog_id)):
        if entry.card_ord != MAIN_CARD:
            skipped["other_card"] += not is_reset(entry)
        elif is_reset(entry):
            resets[entry.item_id] = max(entry.reviewed_at, resets.get(entry.item_id, entry.reviewed_at))
            last_kind[entry.item_id] = MANUAL
        elif is_preview(entry):
            skipped["preview"] += 1
        elif 1 <= entry.button <= 4:
            if entry.kind == LEARNING and last_kind.get(entry.item_id) in (REVIEW, RELEARNING):
                # A reset an older Anki did not log: the memory starts with this learning block.
                at = entry.reviewed_at - dt.timedelta(milliseconds=1)
                resets[entry.item_id] = max(at, resets.get(entry.item_id, at))
            last_kind[entry.item_id] = entry.kind
            answers.append(entry)
    return Sorted(answers, resets, +skipped)
