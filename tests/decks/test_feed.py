"""The add-on's note feed says what the course's package says: the same notes, fields, tags, decks and times."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection

from anki_addon.sync import content_digest as addon_digest
from course import Course
from decks.feed import LEARNER_FIELDS, content_digest, note_feed
from decks.ledger import Ledger
from decks.package import build_package
from quizzes.bank import build_bank
from tests.decks.conftest import import_package


def test_the_feed_matches_the_imported_package_note_for_note(course: Course, tmp_path: Path,
                                                             collection: Collection) -> None:
    bank = build_bank(course)
    ledger = Ledger.load()
    import_package(collection, build_package(bank, None, tmp_path / "course.apkg", ledger=ledger).path)
    feed = note_feed(bank, ledger=ledger)
    assert [note["item_id"] for note in feed] == [question.id for question in bank]
    assert collection.db is not None
    # The package also holds cardless notices of retired questions (decks.retired); the feed has only the course's.
    rows = collection.db.all("SELECT id, guid, mod, tags, EXISTS (SELECT 1 FROM cards WHERE nid = notes.id) FROM notes")
    stored = {guid: (int(nid), int(mod)) for nid, guid, mod, _tags, has_cards in rows if has_cards}
    assert set(stored) == {note["guid"] for note in feed}
    notices = [tags for _nid, _guid, _mod, tags, has_cards in rows if not has_cards]
    assert notices and all("MSC::retired" in tags.split() for tags in notices)
    for entry in feed:
        note_id, mod = stored[entry["guid"]]
        note = collection.get_note(note_id)  # type: ignore[arg-type]
        assert note.note_type()["id"] == entry["note_type"]["id"]  # type: ignore[index]
        assert list(note.keys()) == entry["note_type"]["fields"]
        assert entry["fields"] == {name: note[name] for name in note.keys() if name not in LEARNER_FIELDS}
        assert sorted(note.tags) == sorted(entry["tags"])
        assert collection.decks.name(note.cards()[0].did) == entry["deck"]
        assert mod == entry["mod"]
        assert addon_digest([note[name] for name in note.keys() if name not in LEARNER_FIELDS], note.tags) == (
            entry["digest"])


def test_the_digest_rule_is_the_same_on_both_sides() -> None:
    cases = [(["<p>a</p>", ""], ["MSC::module::x", "MSC::Topic::Y"]), ([], []), (["é", "\u201cq\u201d"], ["msc::a"])]
    for fields, tags in cases:
        assert content_digest(fields, tags) == addon_digest(fields, tags)
    assert content_digest(["a"], ["MSC::A", "MSC::b"]) == content_digest(["a"], ["msc::b", "msc::a"])
    assert content_digest(["a", "b"], []) != content_digest(["b", "a"], [])
