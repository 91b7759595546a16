"""The web app finds a note by the same GUID the deck builder gives it (the identity contract)."""

from __future__ import annotations

from course import Course
from decks.ids import note_guid as deck_guid
from quizzes.bank import build_bank
from webapp.ankisync.guids import guid_map, note_guid


def test_every_item_has_the_guid_the_decks_give_it(course: Course) -> None:
    ids = [question.id for question in build_bank(course)]
    assert [note_guid(item_id) for item_id in ids] == [deck_guid(item_id) for item_id in ids]
    assert len(guid_map(ids)) == len(ids)  # no two items share a note
