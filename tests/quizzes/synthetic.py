"""Small synthetic courses for the quiz-engine tests, and a hypothesis strategy of site tables.

Built from the course models directly (no files), so a property test can try
many site tables in a second, including ones the real content never has.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from course.models import (
    BodyView,
    Course,
    EndangermentSite,
    Evidence,
    Lesson,
    Module,
    Source,
    Structure,
    StructureKind,
)

RELEASE = dt.date(2026, 11, 22)

# A catalogue of structures; sites draw from it so that ids and names agree.
CATALOGUE: tuple[Structure, ...] = tuple(
    Structure(id=sid, name=name, kind=kind)
    for sid, name, kind in (
        ("carotid-artery", "Carotid artery", StructureKind.ARTERY),
        ("jugular-vein", "Jugular vein", StructureKind.VEIN),
        ("vagus-nerve", "Vagus nerve", StructureKind.NERVE),
        ("ulnar-nerve", "Ulnar nerve", StructureKind.NERVE),
        ("radial-nerve", "Radial nerve", StructureKind.NERVE),
        ("sciatic-nerve", "Sciatic nerve", StructureKind.NERVE),
        ("femoral-artery", "Femoral artery", StructureKind.ARTERY),
        ("femoral-vein", "Femoral vein", StructureKind.VEIN),
        ("kidney", "Kidneys", StructureKind.ORGAN),
        ("parotid-gland", "Parotid gland", StructureKind.GLAND),
        ("popliteal-artery", "Popliteal artery", StructureKind.ARTERY),
        ("brachial-plexus", "Brachial plexus", StructureKind.NERVE),
    )
)

SITE_IDS: tuple[str, ...] = (
    "anterior-triangle-neck", "posterior-triangle-neck", "axilla", "medial-epicondyle", "umbilical-region",
    "inguinal-triangle", "below-earlobe", "lateral-epicondyle", "twelfth-rib", "greater-sciatic-notch",
    "popliteal-fossa",
)
REGIONS = ("neck", "arm", "trunk", "leg", "Head and face")


def site(site_id: str, structures: list[Structure], region: str = "neck", view: BodyView = BodyView.FRONT,
         **extra: Any) -> EndangermentSite:
    """An endangerment site of the synthetic course (lesson `sites-lesson`, source `src`)."""
    return EndangermentSite(
        id=site_id, name=site_id.replace("-", " ").capitalize(), location=f"where the {site_id} is",
        region=region, view=view, structures=structures, sources=["src"], lesson="sites-lesson", **extra,
    )


def make_course(sites: list[EndangermentSite], questions: list[Any] | None = None,
                question_modules: dict[str, str] | None = None) -> Course:
    """A valid course of two modules (`sites`, `other`) holding `sites` and `questions`."""
    questions = questions or []
    return Course(
        id="synthetic", title="Synthetic", description="A test course.", release=RELEASE,
        modules=[
            Module(id="sites", title="Sites", summary="Sites.", order=1, safety_critical=True),
            Module(id="other", title="Other", summary="Other.", order=2),
        ],
        lessons=[
            Lesson(id="sites-lesson", module="sites", title="The sites", order=1, summary="S.", body="Body."),
            Lesson(id="other-lesson", module="other", title="Other things", order=1, summary="O.", body="Body."),
        ],
        sources=[Source(id="src", authors=["A. Author"], title="T", year=2020, publication="P",
                        evidence=Evidence.REFERENCED)],
        sites=sites,
        questions=questions,
        question_modules=question_modules if question_modules is not None else {q.id: "other" for q in questions},
    )


@st.composite
def site_tables(draw: st.DrawFn, min_size: int = 0) -> list[EndangermentSite]:
    """A random table of distinct endangerment sites over the structure catalogue."""
    ids = draw(st.lists(st.sampled_from(SITE_IDS), min_size=min_size, max_size=len(SITE_IDS), unique=True))
    table = []
    for site_id in ids:
        structures = draw(st.lists(st.sampled_from(CATALOGUE), min_size=1, max_size=5, unique_by=lambda s: s.id))
        region = draw(st.sampled_from(REGIONS))
        view = draw(st.sampled_from(list(BodyView)))
        table.append(site(site_id, structures, region, view, safety_critical=draw(st.booleans())))
    return table
