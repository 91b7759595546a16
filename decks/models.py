"""The four note types (genanki Models) every package uses.

Ids and names are fixed (decks.ids). The field lists below are a contract with
every learner's collection: Anki refuses to update notes whose note type's
fields changed. Templates and CSS may change freely: the note type has its own
time in the ledger, so a new look arrives with the next release and moves no
note (the learner's tags and Personal notes stay).

Adding a field (the README's "Adding a field to a note type" says what
learners then do) needs a new model id and name, as decks.ids says: with the
same id, Anki's "Merge note types" adds the field to the learner's note type
by touching every note of it, which makes them newer than our release, so the
new field's content never arrives. With a new id the merge moves each note to
the new type and updates it. A note the merge moves without updating (the
learner changed it after our release) keeps only the fields it had, so every
template must still show an answer when a newer field is empty: the reverse
card's answer falls back to the Back field (first-generation notes had no
`Reverse answer`). `tests/decks/test_note_type_changes.py` holds this against the real Anki.

Every note type ends with the same fields: the explanation, the lesson to read
(its title, and a link to the web app's lesson page when the package is built
with a public URL), the sources, and `Personal notes`, which the deck never
fills: it is the learner's place for their own words. Anki overwrites a whole
note when an update of it arrives, so what a learner wrote in a note is kept
until we change that note (the README says so).

Which type a question becomes (decks.notes):
- mcq / multi -> Multiple choice: options on the front; answer, per-option why,
  explanation and source on the back.
- truefalse -> Basic: the statement; the verdict and the reason on the back.
- matching -> Basic with its reverse card: the left items, then the right items,
  each recalling the other side; the back lists the pairs from the side asked
  (left -> right, or right -> left in the order the reverse front shows them). Matching is
  the one type where both directions teach something (an association learnt
  one way only is half learnt). The generated site/structure questions already
  come in both directions as separate items, each with its own history, so
  Basic gets no reverse card anywhere else.
- cloze -> Cloze, one card per blank ({{1}} -> c1, {{2}} -> c2, ...): each card
  asks for one fact with the rest of the sentence as context.
- hotspot, generated (`site-map--<site>`, one per site) -> Body map, two cards:
  "name this site" and "what is at risk here", on the map with the site
  highlighted. Authored hotspots ask through a scenario ("a client feels a zap
  into the little finger...") -> Basic: the scenario, then the site and the
  highlighted map on the back; a "name this site" card would lose the scenario
  and repeat the generated note.
"""

from __future__ import annotations

from pathlib import Path

import genanki

from decks.ids import MODEL_BASIC_ID, MODEL_BODY_MAP_ID, MODEL_CHOICE_ID, MODEL_CLOZE_ID

CSS = Path(__file__).with_name("card.css").read_text(encoding="utf-8")

# Every back ends the same way: what to take away, then where it comes from.
_BACK_TAIL = (
    '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'
    '{{#Lesson}}<div class="lesson">{{Lesson}}</div>{{/Lesson}}'
    '{{#Source}}<div class="source">{{Source}}</div>{{/Source}}'
    '{{#Personal notes}}<div class="personal">{{Personal notes}}</div>{{/Personal notes}}'
)
_DIVIDER = '{{FrontSide}}<hr id="answer">'

# Names end in the generation ("v2"): with the first generation still in a
# learner's collection, Anki would otherwise rename ours "Massage Safety: Basic+".
# The fields every note type ends with, in this order (decks.notes fills all but the last).
COMMON_FIELDS = ("Explanation", "Lesson", "Source", "Personal notes")
# The first field is what Anki shows in its browser and checks for duplicates: it identifies the note.
BASIC_FIELDS = ("Front", "Back", "Reverse", "Reverse answer", *COMMON_FIELDS)
CLOZE_FIELDS = ("Text", "Prompt", "Accepted", *COMMON_FIELDS)
CHOICE_FIELDS = ("Question", "Options", "Answer", "Why", *COMMON_FIELDS)
BODY_MAP_FIELDS = ("Site", "Map", "Location", "AtRisk", *COMMON_FIELDS)


def _fields(names: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


BASIC = genanki.Model(
    MODEL_BASIC_ID,
    "Massage Safety: Basic v2",
    fields=_fields(BASIC_FIELDS),
    templates=[
        {
            "name": "Forward",
            "qfmt": '<div class="front">{{Front}}</div>',
            "afmt": _DIVIDER + '<div class="back">{{Back}}</div>' + _BACK_TAIL,
        },
        {
            # Only notes with a Reverse field get this card (genanki's `req`).
            "name": "Reverse",
            "qfmt": '{{#Reverse}}<div class="front">{{Reverse}}</div>{{/Reverse}}',
            "afmt": _DIVIDER + '<div class="back">{{#Reverse answer}}{{Reverse answer}}{{/Reverse answer}}'
                    '{{^Reverse answer}}{{Back}}{{/Reverse answer}}</div>' + _BACK_TAIL,
        },
    ],
    css=CSS,
)

CLOZE = genanki.Model(
    MODEL_CLOZE_ID,
    "Massage Safety: Cloze v2",
    fields=_fields(CLOZE_FIELDS),
    templates=[
        {
            "name": "Cloze",
            "qfmt": '{{#Prompt}}<div class="hint">{{Prompt}}</div>{{/Prompt}}'
                    '<div class="text">{{cloze:Text}}</div>',
            "afmt": '{{#Prompt}}<div class="hint">{{Prompt}}</div>{{/Prompt}}'
                    '<div class="text">{{cloze:Text}}</div>'
                    '{{#Accepted}}<div class="accepted">{{Accepted}}</div>{{/Accepted}}' + _BACK_TAIL,
        },
    ],
    css=CSS,
    model_type=genanki.Model.CLOZE,
)

CHOICE = genanki.Model(
    MODEL_CHOICE_ID,
    "Massage Safety: Multiple choice v2",
    fields=_fields(CHOICE_FIELDS),
    templates=[
        {
            "name": "Choose",
            "qfmt": '<div class="prompt">{{Question}}</div>{{Options}}',
            "afmt": _DIVIDER + '<div class="answer">{{Answer}}</div>{{Why}}' + _BACK_TAIL,
        },
    ],
    css=CSS,
)

_SITE_BACK = '<div class="site">{{Site}}</div><div class="hint">{{Location}}</div>'

BODY_MAP = genanki.Model(
    MODEL_BODY_MAP_ID,
    "Massage Safety: Body map v2",
    fields=_fields(BODY_MAP_FIELDS),
    templates=[
        {
            "name": "Name this site",
            "qfmt": '<div class="bodymap">{{Map}}</div><div class="prompt">Name this site.</div>',
            "afmt": _DIVIDER + _SITE_BACK + "{{AtRisk}}" + _BACK_TAIL,
        },
        {
            "name": "What is at risk here",
            "qfmt": '<div class="bodymap">{{Map}}</div><div class="prompt">What is at risk here?</div>',
            "afmt": _DIVIDER + _SITE_BACK + "{{AtRisk}}" + _BACK_TAIL,
        },
    ],
    css=CSS,
)

MODELS: tuple[genanki.Model, ...] = (BASIC, CLOZE, CHOICE, BODY_MAP)
