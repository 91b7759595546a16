"""The real course's packages, built from the real bank and imported into real Anki."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from anki.collection import Collection

from course import Course
from decks.ids import module_deck_name, note_guid
from decks.ledger import Ledger
from decks.package import assemble, build_package
from quizzes.bank import Bank, build_bank
from tests.decks.conftest import import_package


@pytest.fixture(scope="module")
def bank(course: Course) -> Bank:
    return build_bank(course)


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S)).strip()


def test_whole_course_imports_and_every_card_renders(bank: Bank, tmp_path: Path, collection: Collection) -> None:
    report = build_package(bank, None, tmp_path / "course.apkg")
    log = import_package(collection, report.path)
    retired = Ledger.load().retired()
    assert report.notes == len(bank) and report.retired == len(retired)
    assert len(log.new) == report.notes + report.retired == collection.note_count()
    # nothing conflicting, skipped for a missing note type or deck, or first-field duplicate
    assert {field.name for field, _ in log.ListFields()} == {"new", "found_notes"}
    assert collection.card_count() == report.cards
    assert {deck.name for deck in collection.decks.all_names_and_ids()} == {
        "Default", "Massage Safety", *(module_deck_name(module.title) for module in bank.modules)}
    guids = set(collection.db.list("SELECT guid FROM notes"))
    assert guids == {note_guid(item_id) for item_id in [*(question.id for question in bank.questions), *retired]}
    # the retired questions' notices come without cards: a new learner has nothing of them to study
    assert collection.card_count() == report.cards == len(collection.find_cards("-tag:MSC::retired"))
    media = Path(collection.media.dir())
    assert sorted(path.name for path in media.iterdir()) == list(report.media)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        question, answer = card.question(), card.answer()
        assert _text(question) and _text(answer), card.note().guid
        for name in re.findall(r'src="([^"]+)"', question + answer):
            assert (media / name).is_file(), name


def test_each_module_package_holds_that_module(bank: Bank, tmp_path: Path, collection: Collection) -> None:
    total = 0
    for module in bank.modules:
        report = build_package(bank, [module.id], tmp_path / f"{module.id}.apkg")
        assert report.notes == len(bank.by_module(module.id)) > 0
        import_package(collection, report.path)
        total += report.notes + report.retired
        assert collection.note_count() == total
    # then the whole course on top: nothing new, nothing duplicated
    log = import_package(collection, build_package(bank, None, tmp_path / "course.apkg").path)
    assert not log.new and not log.updated and collection.note_count() == len(bank) + len(Ledger.load().retired())


def test_cards_are_written_for_anki(bank: Bank, tmp_path: Path, collection: Collection) -> None:
    report = build_package(bank, None, tmp_path / "course.apkg")
    import_package(collection, report.path)
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        front, answer = _text(card.question()), _text(card.answer())
        where = f"{card.note().guid} ({card.template()['name']})"
        # no map on a text front, no page an Anki user cannot open, no "Nerves?."
        assert "body map" not in front.lower() and "select the site" not in front.lower(), where
        assert "See the lesson" not in answer and "Read more: the lesson “" in answer, where
        assert not re.search(r"[?!]\.", answer), where
        assert answer.count("Select all that apply.") <= 1, where
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        assert note["Personal notes"] == ""  # the learner's field: the deck never fills it


def test_the_first_field_identifies_each_note(bank: Bank, tmp_path: Path, collection: Collection) -> None:
    # Anki flags notes of one note type with the same first field as duplicates.
    import_package(collection, build_package(bank, None, tmp_path / "course.apkg").path)
    firsts: dict[tuple[int, str], list[str]] = {}
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        firsts.setdefault((note.mid, note.fields[0]), []).append(note.guid)
    assert {key[1][:60]: guids for key, guids in firsts.items() if len(guids) > 1} == {}


def test_a_public_url_links_lessons_without_moving_note_times(bank: Bank, tmp_path: Path) -> None:
    plain = assemble(bank, None, ledger=Ledger.load())
    linked = assemble(bank, None, ledger=Ledger.load(), public_url="https://course.example.org")
    assert plain.note_mod == linked.note_mod
    lessons = {question.lesson: question for question in bank.questions}
    fields = {note.guid: field for deck in linked.decks for note in deck.notes for field in note.fields
              if field.startswith("Read more: the lesson <a href=")}
    assert len(fields) == len(bank.questions)  # every note links its lesson and its own report form
    assert len({field.partition("<br>")[0] for field in fields.values()}) == len(lessons)
    assert all('href="https://course.example.org/lessons/' in field for field in fields.values())
    reports = {re.search(r'/report/([^"]+)"', field).group(1) for field in fields.values()}  # type: ignore[union-attr]
    assert reports == {question.id for question in bank.questions}
