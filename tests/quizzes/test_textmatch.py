"""The cloze answer rule: synonyms, case, spacing, diacritics, typos only in long answers."""

from __future__ import annotations

import functools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes.textmatch import distance, matches, normalise


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("Ulnar Nerve", ["ulnar nerve"]),
        ("  ulnar   nerve. ", ["ulnar nerve"]),
        ("sterno-cleido mastoid", ["sternocleidomastoid"]),
        ("Guyón’s canal", ["Guyon's canal"]),
        ("naïve", ["naive"]),
        ("ten", ["10", "ten"]),
        ("sternocleidomastiod", ["sternocleidomastoid"]),  # 2 edits in 19 letters
        ("carotd", ["carotid"]),  # 1 edit in 7 letters
    ],
)
def test_accepted(given: str, accepted: list[str]) -> None:
    assert matches(given, accepted)


@pytest.mark.parametrize(
    ("given", "accepted"),
    [
        ("vagal", ["vagus"]),  # 5 letters: no typo allowed
        ("ulnr", ["ulna"]),
        ("crotd artry", ["carotid artery"]),  # 3 edits
        ("medial nerve", ["median nerve"]),  # a different nerve, not a typo
        ("peroneal", ["perineal"]),
        ("abduction", ["adduction"]),
        ("hypotension", ["hypertension"]),
        ("parotid", ["carotid"]),
        ("", ["anything"]),
        ("...", ["anything"]),
    ],
)
def test_refused(given: str, accepted: list[str]) -> None:
    assert not matches(given, accepted)


def test_normalise() -> None:
    assert normalise("  Çervical—Spine!! ") == "cervicalspine"


@given(st.text(max_size=12), st.text(max_size=12))
def test_distance_is_levenshtein(a: str, b: str) -> None:
    expected = _reference(a, b)
    assert distance(a, b, 30) == expected
    assert distance(a, b, 1) == min(expected, 2)
    assert distance(a, b, 0) == min(expected, 1)


@functools.cache
def _reference(a: str, b: str) -> int:
    # The textbook recursive definition, memoised: slow, obviously right.
    if not a or not b:
        return len(a) + len(b)
    return min(_reference(a[1:], b) + 1, _reference(a, b[1:]) + 1, _reference(a[1:], b[1:]) + (a[0] != b[0]))
