"""The real course: it loads clean, cites real sources everywhere, and meets its minimums."""

from __future__ import annotations

from collections import Counter

import pytest

from course import Course, load_course
from course.lessons import cited_ids
from course.models import Evidence


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course()


def test_four_modules_in_teaching_order(course: Course) -> None:
    assert [m.id for m in course.modules] == ["endangerment-sites", "nerve-injury", "post-massage-soreness", "neck-safety"]


def test_at_least_120_authored_questions(course: Course) -> None:
    assert len(course.questions) >= 120


def test_every_module_has_lessons_and_authored_questions(course: Course) -> None:
    per_module = Counter(course.question_modules.values())
    for module in course.modules:
        assert len(course.lessons_of(module.id)) >= 3, module.id
        assert per_module[module.id] >= 30, module.id


def test_every_lesson_section_cites_an_existing_source(course: Course) -> None:
    known = {source.id for source in course.sources}
    for lesson in course.lessons:
        assert lesson.sections, lesson.id
        for section in lesson.sections:
            assert section.sources, f"{lesson.path}:{section.line} cites nothing"
            assert set(section.sources) <= known, f"{lesson.path}:{section.line}"
        assert set(cited_ids(lesson.body)) <= known


def test_every_question_and_site_cites_an_existing_source(course: Course) -> None:
    known = {source.id for source in course.sources}
    for question in course.questions:
        assert question.sources and set(question.sources) <= known, question.id
    for site in course.sites:
        assert site.sources and set(site.sources) <= known, site.id


def test_eleven_endangerment_sites_with_typed_structures(course: Course) -> None:
    assert {site.id for site in course.sites} == {
        "anterior-triangle-neck", "posterior-triangle-neck", "axilla", "medial-epicondyle", "lateral-epicondyle",
        "umbilical-region", "twelfth-rib", "greater-sciatic-notch", "inguinal-triangle", "popliteal-fossa",
        "below-earlobe",
    }
    kinds = {structure.kind.value for site in course.sites for structure in site.structures}
    assert kinds == {"nerve", "artery", "vein", "organ", "gland"}


def test_anecdotes_are_never_the_only_source(course: Course) -> None:
    # Reader comments and anecdotes may illustrate, never stand as evidence alone.
    weak = {s.id for s in course.sources if s.evidence in {Evidence.ANECDOTE}}
    for question in course.questions:
        assert not set(question.sources) <= weak, question.id


def test_no_all_or_none_of_the_above(course: Course) -> None:
    for question in course.questions:
        for option in getattr(question, "options", []):
            text = option.text.casefold()
            assert "all of the above" not in text and "none of the above" not in text, question.id


def test_citation_titles_ending_a_sentence_take_no_extra_full_stop(course: Course) -> None:
    source = next(s for s in course.sources if s.id == "ingraham-nerves")
    assert source.title.endswith("?")
    assert "Nerves?." not in source.citation() and "Can Massage Damage Nerves? " in source.citation()
    plain = source.model_copy(update={"title": "A plain title", "pmid": "123"})
    assert " A plain title. " in plain.citation() and plain.citation().endswith(". PubMed 123.")
