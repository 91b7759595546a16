"""Fixtures for the Anki export: the real course, hand-built questions, real Anki collections."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection, ImportAnkiPackageRequest

from course import Course, load_course
from quizzes.questions import (
    Choice,
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Pair,
    Question,
    TrueFalseQuestion,
)

UPDATED = dt.date(2026, 3, 1)


@pytest.fixture(scope="session")
def course() -> Course:
    """The packaged course (read once; models are frozen)."""
    return load_course()


def _common(module: str, **overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "module": module,
        "lesson": "neck-and-head-sites",
        "explanation": "Why it matters.\n\nA second paragraph.",
        "sources": ("ingraham-nerves",),
        "mblex": "pathology-contraindications",
        "difficulty": 2,
        "safety_critical": True,
        "tags": ("neck", "vessels"),
        "updated": UPDATED,
    }
    fields.update(overrides)
    return fields


def sample_questions(first: str = "endangerment-sites", second: str = "nerve-injury") -> list[Question]:
    """One question of every type over two modules (ids are what tests look notes up by)."""
    return [
        ChoiceQuestion(id="t-mcq", type="mcq", stem="Which structure pulses at the front of the throat?", options=(
            Choice("carotid", "Carotid artery", True, "You feel its pulse there."),
            Choice("vagus", "Vagus nerve", False, "A nerve has no pulse.", unsafe=False),
            Choice("jugular", "Jugular vein", False, "Veins do not pulse to the touch.", unsafe=True),
        ), **_common(first)),
        ChoiceQuestion(id="t-multi", type="multi", stem="Which lie at the axilla?", options=(
            Choice("a", "Axillary artery", True, "It runs through the armpit."),
            Choice("b", "Brachial plexus", True, "Its distal part is there."),
            Choice("c", "Sciatic nerve", False, "That is at the buttock."),
        ), **_common(first, safety_critical=False, tags=())),
        TrueFalseQuestion(id="t-tf", type="truefalse", stem="Pins and needles during pressure mean: move off.",
                          answer=True, reason="Nerve symptoms warn before harm.", **_common(second)),
        ClozeQuestion(id="t-cloze", type="cloze", stem="Fill in the blanks.",
                      text="The {{1}} nerve is exposed at the {{2}} & nearby.",
                      blanks=(("ulnar",), ("medial epicondyle", "funny bone")), **_common(second)),
        MatchingQuestion(id="t-match", type="matching", stem="Match each site to a structure at risk.", pairs=(
            Pair("p1", "Axilla", "Axillary artery"),
            Pair("p2", "Popliteal fossa", "Tibial nerve"),
            Pair("p3", "Medial epicondyle", "Ulnar nerve"),
            Pair("p4", "Below the earlobe", "Facial nerve"),
        ), right_order=("p3", "p1", "p4", "p2"), **_common(first)),
        HotspotQuestion(id="t-hotspot", type="hotspot", stem="Find the axilla on the body map.", origin="generated",
                        region="axilla", regions=("axilla", "popliteal-fossa"), **_common(first)),
        HotspotQuestion(id="t-scenario", type="hotspot", stem="A calf clot was dislodged. Where was the pressure?",
                        region="popliteal-fossa", regions=("axilla", "popliteal-fossa"), **_common(first)),
    ]


# Cards each sample question makes: cloze one per blank, matching forward and
# reverse, generated body map "name this site" and "what is at risk here",
# authored (scenario) hotspot one Basic card.
SAMPLE_CARDS = {"t-mcq": 1, "t-multi": 1, "t-tf": 1, "t-cloze": 2, "t-match": 2, "t-hotspot": 2, "t-scenario": 1}


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh, empty Anki collection in a temporary folder."""
    folder = tmp_path / "collection"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col: Collection, path: Path) -> object:
    """Import like Anki's import dialog does by default (its stored presets), return the log."""
    options = col._backend.get_import_anki_package_presets()
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log
