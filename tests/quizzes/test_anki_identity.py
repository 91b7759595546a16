"""The note GUID rule: the same GUIDs genanki gave every deck we ever built, distinct per item."""

from __future__ import annotations

import genanki
from anki.utils import base91 as anki_base91

from course import Course
from quizzes.anki_identity import NAMESPACE, base91, guid_map, note_guid
from quizzes.bank import build_bank


def test_every_item_keeps_the_guid_genanki_gave_its_note(course: Course) -> None:
    ids = [question.id for question in build_bank(course)]
    assert [note_guid(item_id) for item_id in ids] == [genanki.guid_for(NAMESPACE, item_id) for item_id in ids]
    assert len(guid_map(ids)) == len(ids)  # no two items share a note


def test_base91_writes_numbers_as_anki_does() -> None:
    for number in (1, 90, 91, 8281, 2**63 - 1, 2**64 - 1, 123456789012345):
        assert base91(number) == anki_base91(number)
    assert note_guid("site-map--axilla") == "j}>1u-lf<I"  # pinned: learners' collections hold this GUID
