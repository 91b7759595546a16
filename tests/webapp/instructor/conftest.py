"""The instructor tests' fixture: a small class with hand-made history (see `helpers`)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.webapp.instructor.helpers import School, build_school


@pytest.fixture
def school(app: Flask) -> School:
    """Two instructors; a class with Ann (keen), Bob (lapsed) and Cat (never studied)."""
    return build_school(app)
