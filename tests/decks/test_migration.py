"""Learners who imported the first-generation note types: what the new ones do to their collections.

The note types gained fields (Lesson, Personal notes, the reverse card's answer)
and the cloze text moved first, so they have new ids (decks.ids). Anki cannot
update a note whose note type's fields differ: a default import must then leave
the old notes alone and duplicate nothing, and an import with "Merge note types"
must move them to the new types with their review history. This is what the
README tells learners; these tests hold it true against the real Anki.
"""

from __future__ import annotations

from pathlib import Path

import genanki
from anki.collection import Collection, ImportAnkiPackageRequest

from course import Course
from decks import models
from decks.apkg import write_apkg
from decks.ids import FIRST_MODEL_IDS, ROOT_DECK_ID, ROOT_DECK_NAME, note_guid
from decks.ledger import Ledger
from decks.notes import Lookup, to_note
from decks.package import bank_digests, build_package
from quizzes.bank import Bank
from tests.decks.conftest import SAMPLE_CARDS, import_package, sample_questions

FIRST_RELEASE = 1_795_305_600  # 2026-11-22, the release the first-generation decks carried

# The first generation's note types, as learners have them: ids, names, fields and card templates.
_FIRST = {
    models.BASIC.model_id: genanki.Model(
        FIRST_MODEL_IDS["basic"], "Massage Safety: Basic",
        fields=[{"name": n} for n in ("Front", "Back", "Reverse", "Explanation", "Source")],
        templates=[{"name": "Forward", "qfmt": "{{Front}}", "afmt": "{{Back}}"},
                   {"name": "Reverse", "qfmt": "{{#Reverse}}{{Reverse}}{{/Reverse}}", "afmt": "{{Back}}"}]),
    models.CLOZE.model_id: genanki.Model(
        FIRST_MODEL_IDS["cloze"], "Massage Safety: Cloze",
        fields=[{"name": n} for n in ("Prompt", "Text", "Accepted", "Explanation", "Source")],
        templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}", "afmt": "{{cloze:Text}}"}],
        model_type=genanki.Model.CLOZE, sort_field_index=1),
    models.CHOICE.model_id: genanki.Model(
        FIRST_MODEL_IDS["choice"], "Massage Safety: Multiple choice",
        fields=[{"name": n} for n in ("Question", "Options", "Answer", "Why", "Explanation", "Source")],
        templates=[{"name": "Choose", "qfmt": "{{Question}}", "afmt": "{{Answer}}"}]),
    models.BODY_MAP.model_id: genanki.Model(
        FIRST_MODEL_IDS["body map"], "Massage Safety: Body map",
        fields=[{"name": n} for n in ("Site", "Map", "Location", "AtRisk", "Explanation", "Source")],
        templates=[{"name": "Name this site", "qfmt": "{{Map}} Name this site.", "afmt": "{{Site}}"},
                   {"name": "What is at risk here", "qfmt": "{{Map}} What is at risk?", "afmt": "{{AtRisk}}"}]),
}


def _first_generation_package(course: Course, path: Path) -> Path:
    """The sample questions as the first-generation decks carried them (same GUIDs, old note types)."""
    lookup = Lookup.of(course)
    deck = genanki.Deck(ROOT_DECK_ID, ROOT_DECK_NAME)
    for question in sample_questions():
        note = to_note(question, lookup)
        values = dict(zip((field["name"] for field in note.model.fields), note.fields, strict=True))
        old = _FIRST[note.model.model_id]
        deck.add_note(genanki.Note(model=old, fields=[values.get(field["name"], "") for field in old.fields],
                                   guid=note.guid, tags=note.tags))
    write_apkg([deck], path, timestamp=FIRST_RELEASE, note_mod={note.guid: FIRST_RELEASE for note in deck.notes},
               media={})
    return path


def _new_package(course: Course, path: Path) -> Path:
    bank = Bank(course=course, questions=tuple(sample_questions()))
    ledger = Ledger().updated(bank_digests(bank), now=FIRST_RELEASE + 8 * 86_400)
    return build_package(bank, None, path, ledger=ledger).path


def _reviewed_card(collection: Collection) -> tuple[int, list[int]]:
    note_id = collection.db.scalar("SELECT id FROM notes WHERE guid = ?", note_guid("t-tf"))
    card = collection.get_note(note_id).cards()[0]
    card.start_timer()
    collection.sched.answerCard(card, 3)
    return card.id, collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)


def test_a_default_import_leaves_old_notes_alone_and_duplicates_nothing(course: Course, tmp_path: Path,
                                                                          collection: Collection) -> None:
    import_package(collection, _first_generation_package(course, tmp_path / "first.apkg"))
    card_id, history = _reviewed_card(collection)
    log = import_package(collection, _new_package(course, tmp_path / "new.apkg"))
    assert not log.new and not log.updated and len(log.conflicting) == len(SAMPLE_CARDS)
    assert collection.note_count() == len(SAMPLE_CARDS) and collection.card_count() == sum(SAMPLE_CARDS.values())
    assert set(collection.db.list("SELECT DISTINCT mid FROM notes")) <= set(FIRST_MODEL_IDS.values())
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card_id) == history


def test_merging_note_types_once_moves_old_notes_to_the_new_types(course: Course, tmp_path: Path,
                                                                  collection: Collection) -> None:
    import_package(collection, _first_generation_package(course, tmp_path / "first.apkg"))
    card_id, history = _reviewed_card(collection)
    options = collection._backend.get_import_anki_package_presets()
    options.merge_notetypes = True  # the import dialog's "Merge note types"
    request = ImportAnkiPackageRequest(package_path=str(_new_package(course, tmp_path / "new.apkg")), options=options)
    log = collection.import_anki_package(request).log
    assert len(log.updated) == len(SAMPLE_CARDS) and not log.new and not log.conflicting
    assert collection.note_count() == len(SAMPLE_CARDS) and collection.card_count() == sum(SAMPLE_CARDS.values())
    assert set(collection.db.list("SELECT DISTINCT mid FROM notes")) <= {model.model_id for model in models.MODELS}
    ours = {int(nt["id"]): nt["name"] for nt in collection.models.all() if nt["name"].startswith("Massage Safety")}
    assert ours == {model.model_id: model.name for model in models.MODELS}  # the old types are gone, no "Basic+"
    note = collection.get_card(card_id).note()
    assert note["Personal notes"] == "" and note["Lesson"].startswith("Read more: the lesson")
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card_id) == history
    # from now on a default import updates them like any other
    assert not import_package(collection, tmp_path / "new.apkg").conflicting
