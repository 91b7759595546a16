"""Fixtures of the quiz-engine tests: the real course and its bank, built once."""

from __future__ import annotations

import pytest

from course import load_course
from course.models import Course
from quizzes.bank import Bank, build_bank


@pytest.fixture(scope="session")
def real_course() -> Course:
    """The packaged course, whatever valid content exists today."""
    return load_course()


@pytest.fixture(scope="session")
def real_bank(real_course: Course) -> Bank:
    """The bank of the packaged course."""
    return build_bank(real_course)
