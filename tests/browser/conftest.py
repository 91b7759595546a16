"""Browser tests run on SQLite; one journey (`ON_EVERY_DATABASE`) also runs on PostgreSQL.

What a browser test checks is the page a person sees, and the HTML is the same over either
database. What differs between databases is the queries behind the pages, and the route tests
under tests/webapp/ run every one of those on both (tests/webapp/trust/test_policy.py fetches
every page on PostgreSQL). Driving Chromium a second time over PostgreSQL doubled the browser
tests' cost (a fifth of the suite) and found nothing the route tests did not.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DATABASES, database_copy

# The one browser journey that runs on every database the session has: sign-up, study, progress.
ON_EVERY_DATABASE = pytest.mark.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """`tests.conftest.database_url`, on SQLite unless a test asks for more with `ON_EVERY_DATABASE`."""
    yield from database_copy(request, tmp_path)


@pytest.fixture(scope="module", params=["sqlite"])
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`tests.conftest.module_database_url`, on SQLite."""
    yield from database_copy(request, tmp_path_factory.mktemp("module-db"))
