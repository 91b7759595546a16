"""Questions that left the course, as Anki notes: a notice in place of the question, tagged `MSC::retired`.

A learner who imported a question keeps it after it leaves the course, still
due, possibly wrong (questions are retired when a reviewer fails them). So each
package carries, for every retired question of its modules, a note with the
same GUID and note type: its fields become a notice saying so (the question is
not repeated: it may be the reason it was retired), and its tags are
`MSC::retired` and its module's, so the learner can find and suspend them all
at once. Its time is the retirement's (decks.ledger), later than the note they
have, so a default import applies it.

The notice comes without cards: Anki then updates the note a learner has, whose
cards (and review history) stay and show the notice, while a learner who never
had the question gets no card to study (the note alone, which Anki's "Check
Database" may give cards again; the notice then tells them to suspend it).
"""

from __future__ import annotations

from html import escape

import genanki

from decks import models
from decks.errors import DecksError
from decks.ids import note_guid
from decks.ledger import Entry

RETIRED_TAG = "MSC::retired"
_BY_ID = {model.model_id: model for model in models.MODELS}


def notice_html(item_id: str) -> str:
    """What every field a card shows says about the retired question `item_id` (its id keeps first fields apart)."""
    return (f'<div class="retired"><p><b>Retired from the course</b> (question {escape(item_id)}). '
            "It is no longer taught or checked, and may have been wrong.</p>"
            "<p>Suspend it: in the Browser, search <code>tag:MSC::retired</code>, select all, "
            "then Cards → Toggle Suspend.</p></div>")


def retired_note(item_id: str, entry: Entry) -> genanki.Note:
    """The notice note for a retired question (its shape from the ledger).

    Raises:
        DecksError: the ledger entry is not a retired note with a shape, or of a note type we no longer have.
    """
    if not entry.retired or entry.shape is None:
        raise DecksError(f"{item_id}: not a retired note with a known shape in the ledger")
    model = _BY_ID.get(entry.shape.model)
    if model is None:
        raise DecksError(f"{item_id}: retired under note type {entry.shape.model}, which the decks no longer have")
    notice = notice_html(item_id)
    names = [field["name"] for field in model.fields]
    values = dict.fromkeys(names, "")
    if model is models.CLOZE:
        # Each of the learner's cloze cards must still find its number, or it would show as empty.
        values["Text"] = notice + " ".join(f"{{{{c{ord_ + 1}::retired}}}}" for ord_ in entry.shape.ords)
    else:
        # Every field a front or back shows, so whichever card the learner has reads the notice; a
        # Basic note's reverse only if they have that card (a filled Reverse would make one).
        shown = {"Front", "Back", "Question", "Answer", "Site", "Map"}
        if model is models.BASIC and 1 in entry.shape.ords:
            shown |= {"Reverse", "Reverse answer"}
        values.update({name: notice for name in names if name in shown})
    tags = [RETIRED_TAG, f"MSC::module::{entry.shape.module}"]
    return genanki.Note(model=model, fields=[values[name] for name in names], guid=note_guid(item_id), tags=tags)
