"""The full bank built from the real course meets the course's minimums (issue 3)."""

from __future__ import annotations

from collections import Counter

from course import load_course
from quizzes.bank import build_bank


def test_full_bank_minimums() -> None:
    bank = build_bank(load_course())
    # Repeats of one fact were merged into one item per objective and angle (issue 21), so the floor is
    # set by objectives: every module teaches at least 15 things, with about two ways of asking each.
    assert len(bank) >= 170
    per_module = Counter(question.module for question in bank)
    assert set(per_module) == {m.id for m in bank.modules}
    assert min(per_module.values()) >= 35, per_module
    objectives = Counter(bank.course.objective_modules.values())
    assert min(objectives[m.id] for m in bank.modules) >= 15, objectives
    assert sum(question.origin == "authored" for question in bank) >= 120
    assert len({question.type for question in bank}) >= 5


def test_every_question_cites_a_known_source_and_lesson_of_its_module() -> None:
    course = load_course()
    bank = build_bank(course)
    sources = {source.id for source in course.sources}
    for question in bank:
        assert question.sources and set(question.sources) <= sources, question.id
        assert course.lesson(question.lesson).module == question.module, question.id


def test_site_questions_name_their_sites() -> None:
    course = load_course()
    bank = build_bank(course)
    site_ids = {site.id for site in course.sites}
    for question in bank:
        assert set(question.sites) <= site_ids, question.id
        if question.type == "hotspot" or question.origin == "generated":
            assert question.sites, question.id
    covered = {site for question in bank for site in question.sites}
    assert covered == site_ids
