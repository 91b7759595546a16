"""Fixtures for webapp tests (the helpers they use live in `tests.webapp.helpers`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.webapp.helpers import signup
from webapp.platform.db import get_session
from webapp.platform.models import User


@pytest.fixture
def student(client: FlaskClient) -> FlaskClient:
    """`client`, signed up and signed in as a student."""
    response = signup(client)
    assert response.status_code == 302
    return client


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    """The database session inside an app context, with one learner in it (for service-level tests).

    A test module that needs other rows defines its own `db`, which takes precedence.
    """
    with app.app_context():
        session = get_session()
        session.add(User(email="learner@example.com", display_name="Learner", password_hash="x"))
        session.commit()
        yield session
