"""Fixtures for webapp tests (the helpers they use live in `tests.webapp.helpers`)."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.webapp.helpers import signup


@pytest.fixture
def student(client: FlaskClient) -> FlaskClient:
    """`client`, signed up and signed in as a student."""
    response = signup(client)
    assert response.status_code == 302
    return client
