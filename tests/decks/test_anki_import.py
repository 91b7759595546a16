"""Built packages imported into the real Anki (the `anki` library): the oracle for the export."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from anki.collection import Collection

from course import Course
from decks import models
from decks.errors import DecksError
from decks.ids import note_guid
from decks.package import build_package
from quizzes.bank import Bank
from quizzes.questions import Question
from tests.decks.conftest import SAMPLE_CARDS, import_package, sample_questions

MODULE_DECKS = {
    "Massage Safety::Endangerment sites": {"t-mcq", "t-multi", "t-match", "t-hotspot", "t-scenario"},
    "Massage Safety::Nerves and nerve-injury warning signs": {"t-tf", "t-cloze"},
}


def _bank(course: Course, questions: list[Question] | None = None) -> Bank:
    return Bank(course=course, questions=tuple(questions or sample_questions()))


def _note(col: Collection, item_id: str):  # -> anki.notes.Note
    # by SQL: GUIDs hold characters Anki's search syntax would need escaped
    note_ids = col.db.list("SELECT id FROM notes WHERE guid = ?", note_guid(item_id))
    assert len(note_ids) == 1, f"{item_id}: {len(note_ids)} notes"
    return col.get_note(note_ids[0])


def _visible_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html).strip()


def test_course_package_imports_every_note_card_and_deck(course: Course, tmp_path: Path,
                                                         collection: Collection) -> None:
    report = build_package(_bank(course), None, tmp_path / "course.apkg")
    import_package(collection, report.path)

    assert collection.note_count() == report.notes == len(SAMPLE_CARDS)
    assert collection.card_count() == report.cards == sum(SAMPLE_CARDS.values())
    names = {deck.name for deck in collection.decks.all_names_and_ids()}
    assert names == {"Default", "Massage Safety", *MODULE_DECKS}
    for deck_name, item_ids in MODULE_DECKS.items():
        for item_id in item_ids:
            note = _note(collection, item_id)
            assert len(note.cards()) == SAMPLE_CARDS[item_id]
            assert {collection.decks.name(card.did) for card in note.cards()} == {deck_name}


def test_note_types_have_the_contracted_fields(course: Course, tmp_path: Path, collection: Collection) -> None:
    import_package(collection, build_package(_bank(course), None, tmp_path / "course.apkg").path)
    for model in models.MODELS:
        notetype = collection.models.get(model.model_id)
        assert notetype is not None, model.name
        assert notetype["name"] == model.name
        assert [field["name"] for field in notetype["flds"]] == [field["name"] for field in model.fields]
    assert collection.models.get(models.CLOZE.model_id)["type"] == 1  # Anki's cloze kind


def test_every_card_renders_with_its_images(course: Course, tmp_path: Path, collection: Collection) -> None:
    import_package(collection, build_package(_bank(course), None, tmp_path / "course.apkg").path)
    media = Path(collection.media.dir())
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert _visible_text(question) and _visible_text(answer)
        assert "Why it matters." in answer and "Ingraham" in answer
        for name in re.findall(r'src="([^"]+)"', question + answer):
            assert (media / name).is_file(), name
            assert (media / name).read_text(encoding="utf-8").lstrip().startswith("<svg")
    body_map = _note(collection, "t-hotspot").cards()
    assert [card.template()["name"] for card in body_map] == ["Name this site", "What is at risk here"]
    assert 'src="msc-bodymap-axilla.svg"' in body_map[0].question()
    assert "Axilla" not in _visible_text(body_map[0].question()) and "Axilla" in body_map[0].answer()
    scenario = _note(collection, "t-scenario").cards()[0]
    assert "calf clot" in scenario.question() and "msc-bodymap" not in scenario.question()
    assert 'src="msc-bodymap-popliteal-fossa.svg"' in scenario.answer()


def test_cloze_cards_ask_one_blank_each_in_order(course: Course, tmp_path: Path, collection: Collection) -> None:
    import_package(collection, build_package(_bank(course), None, tmp_path / "course.apkg").path)
    first, second = sorted(_note(collection, "t-cloze").cards(), key=lambda card: card.ord)
    assert (first.ord, second.ord) == (0, 1)
    assert "[...]" in first.question() and "ulnar" not in _visible_text(first.question())
    assert "medial epicondyle" in first.question()
    assert "[...]" in second.question() and "medial epicondyle" not in _visible_text(second.question())
    assert "ulnar" in second.question()


def test_building_twice_and_importing_both_adds_nothing(course: Course, tmp_path: Path,
                                                        collection: Collection) -> None:
    one = build_package(_bank(course), None, tmp_path / "one.apkg")
    two = build_package(_bank(course), None, tmp_path / "two.apkg")
    assert one.path.read_bytes() == two.path.read_bytes()
    import_package(collection, one.path)
    log = import_package(collection, two.path)
    assert not log.new and not log.updated
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.card_count() == sum(SAMPLE_CARDS.values())


def test_module_and_course_packages_share_notes(course: Course, tmp_path: Path, collection: Collection) -> None:
    module = build_package(_bank(course), ["nerve-injury"], tmp_path / "module.apkg")
    assert module.notes == 2 and module.modules == ("nerve-injury",)
    import_package(collection, module.path)
    assert collection.note_count() == 2
    import_package(collection, build_package(_bank(course), None, tmp_path / "course.apkg").path)
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.card_count() == sum(SAMPLE_CARDS.values())


def test_an_edit_arrives_in_place_and_keeps_the_review_history(course: Course, tmp_path: Path,
                                                               collection: Collection) -> None:
    questions = sample_questions()
    import_package(collection, build_package(_bank(course, questions), None, tmp_path / "v1.apkg").path)
    before = _note(collection, "t-tf")
    card = before.cards()[0]
    card.start_timer()  # as the reviewer does when it shows the card
    collection.sched.answerCard(card, 3)
    reviewed = collection.get_card(card.id)
    history = collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)
    assert history and reviewed.reps == 1

    edited = [dataclasses.replace(q, stem="Tingling under pressure means: stop and move off.",
                                  updated=dt.date(2026, 4, 1)) if q.id == "t-tf" else q for q in questions]
    log = import_package(collection, build_package(_bank(course, edited), None, tmp_path / "v2.apkg").path)

    assert [note.id.nid for note in log.updated] == [before.id]
    after = _note(collection, "t-tf")
    assert after.id == before.id and "stop and move off" in after["Front"]
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id) == history
    kept = collection.get_card(card.id)
    assert (kept.reps, kept.type, kept.due, kept.ivl) == (reviewed.reps, reviewed.type, reviewed.due, reviewed.ivl)


def test_an_edit_without_a_later_date_does_not_arrive(course: Course, tmp_path: Path,
                                                      collection: Collection) -> None:
    # Why `updated` must move with every edit: Anki keeps the learner's copy unless ours is newer.
    questions = sample_questions()
    import_package(collection, build_package(_bank(course, questions), None, tmp_path / "v1.apkg").path)
    edited = [dataclasses.replace(q, stem="Reworded.") if q.id == "t-tf" else q for q in questions]
    log = import_package(collection, build_package(_bank(course, edited), None, tmp_path / "v2.apkg").path)
    assert not log.updated and "Reworded." not in _note(collection, "t-tf")["Front"]


def test_bad_selections_are_refused_and_write_nothing(course: Course, tmp_path: Path) -> None:
    with pytest.raises(DecksError, match="unknown module.*no-such-module"):
        build_package(_bank(course), ["no-such-module"], tmp_path / "x.apkg")
    with pytest.raises(DecksError, match="no questions in module.*neck-safety"):
        build_package(_bank(course), ["neck-safety"], tmp_path / "x.apkg")
    with pytest.raises(DecksError, match="no modules selected"):
        build_package(_bank(course), [], tmp_path / "x.apkg")
    assert not list(tmp_path.iterdir())
