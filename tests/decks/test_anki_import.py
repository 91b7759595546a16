"""Built packages imported into the real Anki (the `anki` library): the oracle for the export."""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.consts import QUEUE_TYPE_SUSPENDED

from course import Course
from decks import models
from decks.errors import DecksError
from decks.ids import note_guid
from decks.ledger import Ledger
from decks.package import BuildReport, bank_digests, build_package
from quizzes.bank import Bank
from quizzes.questions import Question
from tests.decks.conftest import SAMPLE_CARDS, import_package, sample_questions

MODULE_DECKS = {
    "Massage Safety::Endangerment sites": {"t-mcq", "t-multi", "t-match", "t-hotspot", "t-scenario"},
    "Massage Safety::Nerves and nerve-injury warning signs": {"t-tf", "t-cloze"},
}



RELEASE_DAY = 1_795_996_800  # 2026-11-30 00:00 UTC


def _bank(course: Course, questions: list[Question] | None = None) -> Bank:
    return Bank(course=course, questions=tuple(questions or sample_questions()))


def _build(course: Course, modules: list[str] | None, path: Path) -> BuildReport:
    """The sample questions' package, with a ledger that knows them (released at RELEASE_DAY)."""
    bank = _bank(course)
    return build_package(bank, modules, path, ledger=Ledger().updated(bank_digests(bank), RELEASE_DAY))


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
    report = _build(course, None, tmp_path / "course.apkg")
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
    import_package(collection, _build(course, None, tmp_path / "course.apkg").path)
    for model in models.MODELS:
        notetype = collection.models.get(model.model_id)
        assert notetype is not None, model.name
        assert notetype["name"] == model.name
        assert [field["name"] for field in notetype["flds"]] == [field["name"] for field in model.fields]
    assert collection.models.get(models.CLOZE.model_id)["type"] == 1  # Anki's cloze kind


def test_every_card_renders_with_its_images(course: Course, tmp_path: Path, collection: Collection) -> None:
    import_package(collection, _build(course, None, tmp_path / "course.apkg").path)
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
    import_package(collection, _build(course, None, tmp_path / "course.apkg").path)
    first, second = sorted(_note(collection, "t-cloze").cards(), key=lambda card: card.ord)
    assert (first.ord, second.ord) == (0, 1)
    assert "[...]" in first.question() and "ulnar" not in _visible_text(first.question())
    assert "medial epicondyle" in first.question()
    assert "[...]" in second.question() and "medial epicondyle" not in _visible_text(second.question())
    assert "ulnar" in second.question()


def test_building_twice_and_importing_both_adds_nothing(course: Course, tmp_path: Path,
                                                        collection: Collection) -> None:
    one = _build(course, None, tmp_path / "one.apkg")
    two = _build(course, None, tmp_path / "two.apkg")
    assert one.path.read_bytes() == two.path.read_bytes()
    import_package(collection, one.path)
    log = import_package(collection, two.path)
    assert not log.new and not log.updated
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.card_count() == sum(SAMPLE_CARDS.values())


def test_module_and_course_packages_share_notes(course: Course, tmp_path: Path, collection: Collection) -> None:
    module = _build(course, ["nerve-injury"], tmp_path / "module.apkg")
    assert module.notes == 2 and module.modules == ("nerve-injury",)
    import_package(collection, module.path)
    assert collection.note_count() == 2
    import_package(collection, _build(course, None, tmp_path / "course.apkg").path)
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.card_count() == sum(SAMPLE_CARDS.values())


class Releases:
    """Successive releases of a course as a maintainer makes them: update the ledger, build the package."""

    def __init__(self, course: Course, folder: Path) -> None:
        self.course, self.folder, self.ledger, self.count = course, folder, Ledger(), 0

    def publish(self, questions: list[Question], now: int) -> Path:
        """The package of `questions` released at Unix second `now`."""
        bank = _bank(self.course, questions)
        self.ledger = self.ledger.updated(bank_digests(bank), now)
        self.count += 1
        return build_package(bank, None, self.folder / f"v{self.count}.apkg", ledger=self.ledger).path


def _edit(questions: list[Question], item_id: str, stem: str) -> list[Question]:
    return [dataclasses.replace(q, stem=stem) if q.id == item_id else q for q in questions]


def test_an_edit_arrives_in_place_and_keeps_the_review_history(course: Course, tmp_path: Path,
                                                               collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    before = _note(collection, "t-tf")
    card = before.cards()[0]
    card.start_timer()  # as the reviewer does when it shows the card
    collection.sched.answerCard(card, 3)
    reviewed = collection.get_card(card.id)
    history = collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)
    assert history and reviewed.reps == 1

    edited = _edit(questions, "t-tf", "Tingling under pressure means: stop and move off.")
    log = import_package(collection, releases.publish(edited, RELEASE_DAY + 86_400))

    assert [note.id.nid for note in log.updated] == [before.id] and not log.new
    after = _note(collection, "t-tf")
    assert after.id == before.id and "stop and move off" in after["Front"]
    assert collection.note_count() == len(SAMPLE_CARDS)
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id) == history
    kept = collection.get_card(card.id)
    assert (kept.reps, kept.type, kept.due, kept.ivl) == (reviewed.reps, reviewed.type, reviewed.due, reviewed.ivl)


def test_an_update_leaves_unchanged_notes_as_the_learner_left_them(course: Course, tmp_path: Path,
                                                                   collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    for item_id in ("t-mcq", "t-tf"):
        mine = _note(collection, item_id)
        mine.tags += ["my-exam-list", "marked"]  # Anki's "marked" is a tag too
        mine["Explanation"] += "<br>My own line: ask about the carotid sinus."
        mine["Personal notes"] = "My words."
        collection.update_note(mine)
    flagged = _note(collection, "t-tf").cards()[0]
    flagged.set_user_flag(1)
    collection.update_card(flagged)
    collection.sched.suspend_cards([flagged.id])
    # our release must be newer than the learner's edit, or Anki keeps theirs (the README says so)
    later = int(time.time()) + 60

    log = import_package(collection, releases.publish(_edit(questions, "t-tf", "Reworded."), later))

    assert [note.id.nid for note in log.updated] == [_note(collection, "t-tf").id]
    assert not log.new and collection.note_count() == len(SAMPLE_CARDS)
    assert collection.card_count() == sum(SAMPLE_CARDS.values())
    kept = _note(collection, "t-mcq")
    assert {"my-exam-list", "marked"} <= set(kept.tags) and "My own line" in kept["Explanation"]
    assert kept["Personal notes"] == "My words."
    # the changed note is ours again, whole: fields and tags; its cards keep flags and suspension
    changed = _note(collection, "t-tf")
    assert "Reworded." in changed["Front"] and "My own line" not in changed["Explanation"]
    assert changed["Personal notes"] == "" and not {"my-exam-list", "marked"} & set(changed.tags)
    card = collection.get_card(flagged.id)
    assert card.user_flag() == 1 and card.queue == QUEUE_TYPE_SUSPENDED


def test_a_learner_edit_newer_than_our_change_is_kept(course: Course, tmp_path: Path,
                                                      collection: Collection) -> None:
    # Anki applies a note only if ours is newer than the learner's copy (the README says so).
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    mine = _note(collection, "t-tf")
    mine["Personal notes"] = "My words."
    collection.update_note(mine)  # now: later than RELEASE_DAY + 60
    log = import_package(collection, releases.publish(_edit(questions, "t-tf", "Reworded."), RELEASE_DAY + 60))
    assert not log.updated and _note(collection, "t-tf")["Personal notes"] == "My words."


def test_two_releases_on_one_day_both_update(course: Course, tmp_path: Path, collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    morning = _edit(questions, "t-tf", "Morning wording.")
    afternoon = _edit(morning, "t-tf", "Afternoon wording.")
    for version, when, wording in ((morning, RELEASE_DAY + 3_600, "Morning"), (afternoon, RELEASE_DAY + 7_200,
                                                                               "Afternoon")):
        log = import_package(collection, releases.publish(version, when))
        assert len(log.updated) == 1 and not log.new, wording
        assert f"{wording} wording." in _note(collection, "t-tf")["Front"]
    assert collection.note_count() == len(SAMPLE_CARDS)
    # and the same release imported again changes nothing
    log = import_package(collection, releases.folder / "v3.apkg")
    assert not log.new and not log.updated


def test_a_ledger_that_was_not_updated_is_refused(course: Course, tmp_path: Path) -> None:
    # A stale ledger (content edited without `make decks`) would give the edit no time of its own.
    questions = sample_questions()
    ledger = Ledger().updated(bank_digests(_bank(course, questions)), RELEASE_DAY)
    edited = _bank(course, _edit(questions, "t-tf", "Reworded."))
    with pytest.raises(DecksError, match="out of date.*make decks"):
        build_package(edited, None, tmp_path / "v2.apkg", ledger=ledger)


def test_bad_selections_are_refused_and_write_nothing(course: Course, tmp_path: Path) -> None:
    with pytest.raises(DecksError, match="unknown module.*no-such-module"):
        build_package(_bank(course), ["no-such-module"], tmp_path / "x.apkg")
    with pytest.raises(DecksError, match="no questions in module.*neck-safety"):
        build_package(_bank(course), ["neck-safety"], tmp_path / "x.apkg")
    with pytest.raises(DecksError, match="no modules selected"):
        build_package(_bank(course), [], tmp_path / "x.apkg")
    assert not list(tmp_path.iterdir())


def test_a_note_type_changes_only_when_its_look_does(course: Course, tmp_path: Path, collection: Collection,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    basic = collection.models.get(models.BASIC.model_id)
    basic["css"] += "\n.card { font-size: 30px; }  /* the learner's */"
    collection.models.save(basic)
    later = int(time.time()) + 60

    def css() -> str:
        collection.models._clear_cache()  # an import changes note types behind the Python cache
        return collection.models.get(models.BASIC.model_id)["css"]  # type: ignore[index]

    # an edited question does not bring our note type back over the learner's
    reworded = _edit(questions, "t-tf", "Reworded.")
    import_package(collection, releases.publish(reworded, later))
    assert "the learner's" in css()
    # a change of our CSS does, and moves no note (their times are their content's alone)
    monkeypatch.setattr(models.BASIC, "css", models.BASIC.css + "\n/* ours, v3 */")
    log = import_package(collection, releases.publish(reworded, later + 60))
    shown = css()
    assert "ours, v3" in shown and "the learner's" not in shown
    assert not log.updated and not log.new
