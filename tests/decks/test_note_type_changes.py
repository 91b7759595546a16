"""Releases that touch only what changed, against the real Anki (the `anki` library).

- A styling or template change moves the note type, not the notes: the notes
  keep their times, GUIDs and fields, so learners keep their Personal notes and
  tags, and Anki still applies the new look.
- A field appended to a note type: a default import leaves the learner's notes
  alone ("conflicting"), one import with "Merge note types" moves them, and from
  then on default imports update them again. A reverse card never loses its
  answer in the move, even on a note the merge does not update.
- A ledger that does not know the content is refused, naming the command.
"""

from __future__ import annotations

import re
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Any

import genanki
import pytest
from anki.collection import Collection, ImportAnkiPackageRequest

from course import Course
from decks import ids, models, notes
from decks.errors import DecksError
from decks.ids import note_guid
from decks.ledger import Ledger
from decks.package import bank_digests, build_package
from quizzes.bank import Bank, build_bank
from quizzes.questions import Question
from tests.decks.conftest import SAMPLE_CARDS, import_package, sample_questions
from tests.decks.test_anki_import import RELEASE_DAY, Releases, _edit
from tests.decks.test_migration import _first_generation_package

DAY = 86_400


def _note(col: Collection, item_id: str):  # -> anki.notes.Note
    note_ids = col.db.list("SELECT id FROM notes WHERE guid = ?", note_guid(item_id))
    assert len(note_ids) == 1, f"{item_id}: {len(note_ids)} notes"
    return col.get_note(note_ids[0])


def _shown(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _package_notes(path: Path) -> list[tuple[str, int, str, str]]:
    """(guid, mod, fields, tags) of every note in an .apkg, by GUID."""
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        return connection.execute("SELECT guid, mod, flds, tags FROM notes ORDER BY guid").fetchall()
    finally:
        connection.close()


def _note_type(col: Collection, model_id: int) -> dict:  # type: ignore[type-arg]
    col.models._clear_cache()  # an import changes note types behind the Python cache
    notetype = col.models.get(model_id)  # type: ignore[arg-type]
    assert notetype is not None
    return notetype


def test_a_restyle_moves_the_note_types_and_keeps_every_learners_note(
        course: Course, tmp_path: Path, collection: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = build_bank(course)
    ledger = Ledger().updated(bank_digests(bank), RELEASE_DAY)
    v1 = build_package(bank, None, tmp_path / "v1.apkg", ledger=ledger).path
    import_package(collection, v1)
    sampled = [question.id for question in bank.questions][:: max(1, len(bank.questions) // 10)][:10]
    assert len(sampled) == 10
    for item_id in sampled:
        mine = _note(collection, item_id)
        mine["Personal notes"] = f"My words on {item_id}."
        mine.tags.append("my-exam-list")
        collection.update_note(mine)
    before = {item_id: (_note(collection, item_id).mod, _note(collection, item_id).fields) for item_id in sampled}

    with monkeypatch.context() as patch:
        for model in models.MODELS:
            patch.setattr(model, "css", model.css + "\n.card { letter-spacing: 0.01em; }  /* v2 look */")
        later = int(time.time()) + 60  # after the learner's edits: the look must still arrive
        ledger2 = ledger.updated(bank_digests(bank), later)
        v2 = build_package(bank, None, tmp_path / "v2.apkg", ledger=ledger2).path
        # Only the note types moved in the ledger; the package's notes are the same, byte for byte.
        assert ledger.stale(bank_digests(bank)) == sorted(f"note-type:{m.model_id}" for m in models.MODELS)
        assert _package_notes(v2) == _package_notes(v1)
        log = import_package(collection, v2)

    assert not log.updated and not log.new and not log.conflicting
    for model in models.MODELS:
        assert "/* v2 look */" in _note_type(collection, model.model_id)["css"], model.name
    kept = [item_id for item_id in sampled
            if _note(collection, item_id)["Personal notes"] == f"My words on {item_id}."
            and "my-exam-list" in _note(collection, item_id).tags
            and (_note(collection, item_id).mod, _note(collection, item_id).fields) == before[item_id]]
    assert kept == sampled  # 10 of 10
    card = _note(collection, sampled[0]).cards()[0]
    assert "v2 look" in card.answer()  # the cards render with the new look


def test_a_template_change_arrives_without_touching_the_notes(course: Course, tmp_path: Path,
                                                              collection: Collection,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    v1 = releases.publish(questions, RELEASE_DAY)
    import_package(collection, v1)
    mine = _note(collection, "t-match")
    mine["Personal notes"] = "My words."
    collection.update_note(mine)
    monkeypatch.setattr(models.BASIC, "templates", [dict(t, qfmt=t["qfmt"] + '<div class="v3-front"></div>')
                                                    for t in models.BASIC.templates])
    v2 = releases.publish(questions, int(time.time()) + 60)
    assert _package_notes(v2) == _package_notes(v1)
    log = import_package(collection, v2)
    assert not log.updated and not log.new
    assert _note(collection, "t-match")["Personal notes"] == "My words."
    assert all('class="v3-front"' in card.question() for card in _note(collection, "t-match").cards())


def test_a_changed_note_still_moves_and_its_note_type_keeps_its_time(course: Course, tmp_path: Path) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    v1 = releases.publish(questions, RELEASE_DAY)
    v2 = releases.publish(_edit(questions, "t-tf", "Reworded."), RELEASE_DAY + DAY)
    moved = {guid for (guid, mod, *_), (_, old_mod, *_) in zip(_package_notes(v2), _package_notes(v1), strict=True)
             if mod != old_mod}
    assert moved == {note_guid("t-tf")}
    key = f"note-type:{models.BASIC.model_id}"
    assert releases.ledger.entries[key].seconds == RELEASE_DAY


# Adding a field -------------------------------------------------------------------------------------------------

_NEW_FIELD = "Mnemonic"
_THIRD_BASIC_ID = 1_777_777_777  # what a third generation of Basic would get in decks.ids
BASIC_ITEMS = {"t-tf", "t-match", "t-scenario"}

# Each note type's fields, by id: changing them under the same id never reaches learners (below).
FIELD_CONTRACT = {
    ids.MODEL_BASIC_ID: ("Front", "Back", "Reverse", "Reverse answer"),
    ids.MODEL_CLOZE_ID: ("Text", "Prompt", "Accepted"),
    ids.MODEL_CHOICE_ID: ("Question", "Options", "Answer", "Why"),
    ids.MODEL_BODY_MAP_ID: ("Site", "Map", "Location", "AtRisk"),
}


def _add_a_field(monkeypatch: pytest.MonkeyPatch, *, new_id: bool) -> None:
    """Basic with a field appended (filled by the deck), under a new id and name or, wrongly, under the old."""
    if new_id:
        monkeypatch.setattr(models.BASIC, "model_id", _THIRD_BASIC_ID)
        monkeypatch.setattr(models.BASIC, "name", "Massage Safety: Basic v3")
    monkeypatch.setattr(models.BASIC, "fields", [*models.BASIC.fields, {"name": _NEW_FIELD}])
    monkeypatch.setattr(models.BASIC, "templates", [
        dict(t, afmt=t["afmt"] + f'{{{{#{_NEW_FIELD}}}}}<div class="mnemonic">{{{{{_NEW_FIELD}}}}}</div>'
                                 f'{{{{/{_NEW_FIELD}}}}}') for t in models.BASIC.templates])
    real = notes.to_note

    def to_note(question: Question, lookup: notes.Lookup) -> genanki.Note:
        note = real(question, lookup)
        if note.model is models.BASIC:
            note.fields = [*note.fields, "Think: tingling = move off."]
        return note

    monkeypatch.setattr("decks.package.to_note", to_note)


def _merge_import(col: Collection, path: Path) -> Any:
    options = col._backend.get_import_anki_package_presets()
    options.merge_notetypes = True  # the import dialog's "Merge note types"
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log


def _answered(col: Collection, item_id: str) -> tuple[int, list[int]]:
    card = _note(col, item_id).cards()[0]
    card.start_timer()  # as the reviewer does when it shows the card
    col.sched.answerCard(card, 3)
    return card.id, col.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)


@pytest.mark.parametrize("default_import_first", [False, True], ids=["merge", "default-then-merge"])
def test_a_field_added_under_a_new_id_arrives_after_one_merge(
        course: Course, tmp_path: Path, collection: Collection, monkeypatch: pytest.MonkeyPatch,
        default_import_first: bool) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    card_id, history = _answered(collection, "t-tf")
    mine = _note(collection, "t-mcq")  # a note of another type keeps everything
    mine["Personal notes"] = "My words."
    collection.update_note(mine)

    _add_a_field(monkeypatch, new_id=True)
    v2 = releases.publish(questions, RELEASE_DAY + DAY)
    if default_import_first:
        # A default import cannot update notes whose note type's fields differ: "conflicting", nothing added.
        log = import_package(collection, v2)
        assert len(log.conflicting) == len(BASIC_ITEMS) and not log.new and not log.updated
        assert _note(collection, "t-tf").mid == ids.MODEL_BASIC_ID
    log = _merge_import(collection, v2)

    assert len(log.updated) == len(BASIC_ITEMS) and not log.new and not log.conflicting
    assert collection.note_count() == len(SAMPLE_CARDS) and collection.card_count() == sum(SAMPLE_CARDS.values())
    for item_id in BASIC_ITEMS:
        moved = _note(collection, item_id)
        assert moved.mid == _THIRD_BASIC_ID and moved[_NEW_FIELD] == "Think: tingling = move off."
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card_id) == history
    assert _note(collection, "t-mcq")["Personal notes"] == "My words."
    basic_types = {nt["name"] for nt in collection.models.all() if "Basic v" in nt["name"]}
    assert basic_types == {"Massage Safety: Basic v3"}  # the old type is gone, no "v3+"
    # From then on a default import updates them like any other note.
    log = import_package(collection, releases.publish(_edit(questions, "t-tf", "Reworded."), RELEASE_DAY + 2 * DAY))
    assert len(log.updated) == 1 and not log.conflicting and "Reworded." in _note(collection, "t-tf")["Front"]


def test_a_field_added_under_the_same_id_would_never_arrive(course: Course, tmp_path: Path,
                                                            collection: Collection,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Why decks.ids asks for a new id: merging the learner's note type touches its notes, which are then
    # newer than our release, so Anki keeps them as they were.
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    _add_a_field(monkeypatch, new_id=False)
    log = _merge_import(collection, releases.publish(questions, RELEASE_DAY + DAY))
    assert not log.updated
    assert _note(collection, "t-tf")[_NEW_FIELD] == ""


def test_note_type_fields_change_only_with_a_new_id() -> None:
    for model in models.MODELS:
        names = tuple(field["name"] for field in model.fields)
        assert names == FIELD_CONTRACT[model.model_id] + models.COMMON_FIELDS, (
            f"{model.name}: its fields changed under the same id; give it a new id and name in decks.ids "
            "(decks.models says why) and a line in the README for learners")


def test_a_merged_reverse_card_keeps_its_answer_when_the_note_is_not_updated(
        course: Course, tmp_path: Path, collection: Collection) -> None:
    import_package(collection, _first_generation_package(course, tmp_path / "first.apkg"))
    # The learner marks the matching note: their copy is now newer than our release.
    mine = _note(collection, "t-match")
    mine.tags.append("marked")
    collection.update_note(mine)
    bank = Bank(course=course, questions=tuple(sample_questions()))
    ledger = Ledger().updated(bank_digests(bank), RELEASE_DAY)
    log = _merge_import(collection, build_package(bank, None, tmp_path / "new.apkg", ledger=ledger).path)
    assert not log.conflicting
    moved = _note(collection, "t-match")
    assert moved.mid == models.BASIC.model_id and moved["Reverse answer"] == ""  # the merge kept the old fields
    forward, reverse = sorted(moved.cards(), key=lambda card: card.ord)
    asked = _shown(re.split(r'<hr id="?answer"?>', reverse.answer(), maxsplit=1)[1])
    for right, left in (("Ulnar nerve", "Medial epicondyle"), ("Axillary artery", "Axilla")):
        assert right in asked and left in asked  # both sides of each pair are on the back
    assert "Tibial nerve" in _shown(forward.answer())


# A stale ledger -------------------------------------------------------------------------------------------------

def test_a_ledger_that_does_not_know_the_content_is_refused_naming_the_command(course: Course,
                                                                               tmp_path: Path) -> None:
    questions = sample_questions()
    ledger = Ledger().updated(bank_digests(Bank(course=course, questions=tuple(questions))), RELEASE_DAY)
    build_package(Bank(course=course, questions=tuple(questions)), None, tmp_path / "v1.apkg", ledger=ledger)
    # Two edits served without `make decks`: the second would get the first's time and never arrive.
    for wording in ("First edit.", "Second edit."):
        edited = Bank(course=course, questions=tuple(_edit(questions, "t-tf", wording)))
        with pytest.raises(DecksError, match=r"notes\.lock is out of date.*t-tf.*Run `make decks`"):
            build_package(edited, None, tmp_path / "v2.apkg", ledger=ledger)
    assert not (tmp_path / "v2.apkg").exists()
