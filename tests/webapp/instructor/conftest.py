"""The instructor tests' fixture: a small class with hand-made history (see `helpers`)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.instructor.helpers import School, build_school


@pytest.fixture
def school(app: Flask) -> School:
    """Two instructors; a class with Ann (keen), Bob (lapsed) and Cat (never studied)."""
    return build_school(app)


@pytest.fixture(scope="module")
def shared_school(module_app: Flask) -> School:
    """`school`, built once per module and database, for tests that only read it (and log in)."""
    return build_school(module_app)


@pytest.fixture
def reader(module_app: Flask) -> FlaskClient:
    """A new client (no cookies) of the app over `shared_school`."""
    return module_app.test_client()
