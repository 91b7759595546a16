"""The note ledger: times move exactly when a note's digest does; the committed ledger is current."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from course import Course
from decks.errors import DecksError
from decks.ledger import LEDGER_PATH, REGENERATE, RETIRED, Entry, Ledger, Shape, note_digest
from decks.notes import Lookup, to_note
from decks.package import bank_digests, bank_shapes
from quizzes.bank import build_bank
from tests.decks.conftest import sample_questions

T0 = 1_796_000_000


def test_new_notes_get_the_clock_and_unchanged_notes_keep_their_time() -> None:
    first = Ledger().updated({"a": "1111", "b": "2222"}, now=T0)
    assert first.entries == {"a": Entry("1111", T0), "b": Entry("2222", T0)}
    second = first.updated({"a": "1111", "b": "2223", "c": "3333"}, now=T0 + 600)
    assert second.entries == {"a": Entry("1111", T0), "b": Entry("2223", T0 + 600), "c": Entry("3333", T0 + 600)}
    assert second.updated({"a": "1111", "b": "2223", "c": "3333"}, now=T0 + 900) == second


def test_a_change_is_later_than_every_earlier_time_even_with_a_clock_behind() -> None:
    ledger = Ledger({"a": Entry("1111", T0), "b": Entry("2222", T0 + 50)})
    changed = ledger.updated({"a": "1112", "b": "2222"}, now=T0 - 3600)  # a clock an hour slow
    assert changed.entries["a"] == Entry("1112", T0 + 51)
    # two releases within one second of each other still both move forward
    again = changed.updated({"a": "1113", "b": "2222"}, now=T0 + 51)
    assert again.entries["a"].seconds == T0 + 52


def test_removed_notes_without_a_shape_leave_the_ledger() -> None:
    ledger = Ledger().updated({"a": "1111", "note-type:1": "2222"}, now=T0)
    assert set(ledger.updated({"a": "1111"}, now=T0 + 1).entries) == {"a"}
    assert ledger.stale({"a": "1111"}) == ["note-type:1"]


def test_a_removed_note_is_retired_with_its_shape_and_stays_so() -> None:
    shapes = {"a": Shape(7, (0,), "m1"), "b": Shape(8, (0, 1), "m2")}
    ledger = Ledger().updated({"a": "1111", "b": "2222"}, now=T0, shapes=shapes)
    assert ledger.entries["b"] == Entry("2222", T0, shapes["b"]) and not ledger.retired()
    retired = ledger.updated({"a": "1111"}, now=T0 + 60)
    assert retired.entries["b"] == Entry(RETIRED, T0 + 60, shapes["b"]) and list(retired.retired()) == ["b"]
    assert ledger.stale({"a": "1111"}) == ["b"] and retired.stale({"a": "1111"}) == []
    assert retired.updated({"a": "1111"}, now=T0 + 120) == retired  # retired once, at the time it left
    back = retired.updated({"a": "1111", "b": "2222"}, now=T0 + 180)  # a question that returns is new again
    assert back.entries["b"] == Entry("2222", T0 + 180, shapes["b"]) and not back.retired()
    assert Ledger.loads(retired.dumps()) == retired
    assert retired.dumps().splitlines()[-1].endswith(f"b retired {T0 + 60} 2026-11-30T00:54:20Z 8:0,1:m2")


def test_times_of_notes_the_ledger_does_not_know_are_later_than_all_it_knows() -> None:
    ledger = Ledger({"a": Entry("1111", T0), "b": Entry("2222", T0 + 7)})
    assert ledger.times({"a": "1111", "b": "changed", "c": "new"}) == {"a": T0, "b": T0 + 8, "c": T0 + 8}
    assert Ledger().times({"a": "1111"}, floor=T0) == {"a": T0}  # never 1970
    assert ledger.stale({"a": "1111", "b": "changed", "c": "new"}) == ["b", "c"]


def test_the_file_round_trips_sorted_and_readable(tmp_path: Path) -> None:
    ledger = Ledger({"zeta": Entry("00ff", T0 + 1), "alpha": Entry("abcd", T0)})
    path = tmp_path / "notes.lock"
    ledger.save(path)
    text = path.read_text(encoding="utf-8")
    body = [line for line in text.splitlines() if not line.startswith("#")]
    assert body == [f"alpha abcd {T0} 2026-11-30T00:53:20Z", f"zeta 00ff {T0 + 1} 2026-11-30T00:53:21Z"]
    assert Ledger.load(path) == ledger
    assert Ledger.load(tmp_path / "missing.lock") == Ledger()
    assert [p.name for p in tmp_path.iterdir()] == ["notes.lock"]


def test_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DecksError, match=r"x.lock:2: expected 'note-id digest seconds \[utc \[shape\]\]'"):
        Ledger.loads("# header\nonly-two fields\n", "x.lock")
    with pytest.raises(DecksError, match="x.lock:2: note 'a' is listed twice"):
        Ledger.loads(f"a 1 {T0}\na 2 {T0}\n", "x.lock")


def test_the_digest_follows_what_the_learner_sees(course: Course) -> None:
    lookup = Lookup.of(course)
    question = sample_questions()[2]  # true/false
    digest = note_digest(to_note(question, lookup))
    assert note_digest(to_note(question, lookup)) == digest
    assert note_digest(to_note(dataclasses.replace(question, stem="Reworded."), lookup)) != digest
    assert note_digest(to_note(dataclasses.replace(question, tags=("other",)), lookup)) != digest
    # content the note does not show (the date, the lesson's module) leaves it alone
    assert note_digest(to_note(dataclasses.replace(question, difficulty=question.difficulty), lookup)) == digest
    assert note_digest(to_note(dataclasses.replace(question, updated=question.updated.replace(year=2030)),
                               lookup)) == digest


def test_the_committed_ledger_is_up_to_date_with_the_content(course: Course) -> None:
    stale = Ledger.load(LEDGER_PATH).stale(bank_digests(build_bank(course)))
    shown = ", ".join(stale[:8]) + (f" and {len(stale) - 8} more" if len(stale) > 8 else "")
    assert not stale, (
        f"decks/notes.lock is out of date: {len(stale)} Anki notes changed, appeared or went since it was "
        f"written ({shown}). Run `{REGENERATE}` (or `massage-course decks build`) and commit decks/notes.lock "
        "with the content, so each changed note gets the time of its change.")
    # and it knows every note's shape, so a question that leaves can still be retired in learners' collections
    bank = build_bank(course)
    current = Ledger.load(LEDGER_PATH)
    assert current.updated(bank_digests(bank), now=T0, shapes=bank_shapes(bank)) == current, (
        f"decks/notes.lock lacks the notes' shapes: run `{REGENERATE}` and commit it")
