"""Shared fixtures: the app over a real, migrated database; a live server; Chromium.

Database tests run on SQLite and, when TEST_DATABASE_URL is set (CI sets it to
PostgreSQL), on that database too: the `database_url` fixture is parametrised.
`module_database_url` and `module_live_server` are the same, built once per test
module: a page tour seeds them once and visits one page per test.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, make_url, text
from werkzeug.serving import BaseWSGIServer, make_server

from course import Course, load_course
from tests.postgres_reuse import ReusedDatabase
from webapp import create_app
from webapp.platform import jobs
from webapp.platform.migrate import upgrade

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's one timeout for every action, navigation, wait and `expect` (its own default is 30 s):
# a loaded machine makes the browser tests slower, not failing. Tests set no timeouts of their own.
BROWSER_TIMEOUT_MS = 60_000

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def course() -> Course:
    """The real course, loaded once per test session (loading it is the slow part of create_app)."""
    return load_course()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once by Alembic; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@contextmanager
def _migrated_postgres(prefix: str) -> Iterator[tuple[str, str]]:
    """A new PostgreSQL database migrated by Alembic: (name, url); dropped afterwards."""
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield name, url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A PostgreSQL database migrated once by Alembic; each test gets a copy (CREATE DATABASE … TEMPLATE)."""
    with _migrated_postgres("msc_template") as (name, _url):
        yield name


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated database of its own: SQLite in a temp folder, or a new PostgreSQL database.

    Both come from a template that Alembic migrated once per session, so the schema still
    comes only from migrations: SQLite as a copied file, PostgreSQL as this process's one
    database emptied before the test (tests/postgres_reuse.py says why).
    """
    yield from database_copy(request, tmp_path)


@pytest.fixture(scope="module", params=DATABASES)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`database_url` shared by a module's tests (seeded once by a module fixture, read by many tests)."""
    yield from database_copy(request, tmp_path_factory.mktemp("module-db"))


def database_copy(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """A copy of the migrated template for `request.param` ("sqlite" or "postgresql"), in `folder` for SQLite."""
    if request.param == "sqlite":
        path = folder / "test.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if request.scope == "function":
        yield request.getfixturevalue("postgres_reused").fresh()
        return
    yield from _postgres_copy(request.getfixturevalue("postgres_template"))


@pytest.fixture(scope="session")
def postgres_reused(postgres_template: str) -> Iterator[ReusedDatabase]:
    """This test process's PostgreSQL database, emptied for each test (see tests/postgres_reuse.py)."""
    database = ReusedDatabase(os.environ["TEST_DATABASE_URL"], postgres_template)
    yield database
    database.drop()


def _postgres_copy(template: str) -> Iterator[str]:
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"msc_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _missing_service(reason: str) -> None:
    """Skip locally; on CI (CI=true) a missing service is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it: see .ci/run)")
    pytest.skip(reason)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh migrated PostgreSQL database (for tests that need PostgreSQL itself, e.g. several servers)."""
    if not os.environ.get("TEST_DATABASE_URL"):
        _missing_service("TEST_DATABASE_URL is not set, so there is no PostgreSQL to test against")
    with _migrated_postgres("msc_test") as (_name, url):
        yield url


@pytest.fixture
def redis_url() -> str:
    """A Redis database for tests (TEST_REDIS_URL, default db 15 on the local server), emptied first.

    Under pytest-xdist each worker counts down from that database (gw1 gets 14),
    so one worker's flush never empties another's.
    """
    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker != "gw0":
        base, _, db = url.rpartition("/")
        url = f"{base}/{(int(db or 0) - int(worker.removeprefix('gw'))) % 16}"
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError:
        _missing_service(f"no Redis at {url}")
    finally:
        client.close()
    return url


@pytest.fixture
def app_config(database_url: str, course: Course) -> dict[str, Any]:
    """Config for a test app: the test database, CSRF off for route tests, no demo data."""
    return _app_config(database_url, course)


@pytest.fixture(scope="module")
def module_app_config(module_database_url: str, course: Course) -> dict[str, Any]:
    """`app_config` over the module's shared database."""
    return _app_config(module_database_url, course)


def _app_config(database_url: str, course: Course) -> dict[str, Any]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "DEMO_DATA": False,
        "RATELIMIT_ENABLED": False,
        "COURSE": course,
        # Cheap argon2 for speed; production uses the library's defaults.
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app from the factory over a migrated test database."""
    application = create_app(app_config)
    yield application
    _close(application)


@pytest.fixture(scope="module")
def module_app(module_app_config: dict[str, Any]) -> Iterator[Flask]:
    """`app` over the module's shared database, for tests that only read rows a module fixture made once."""
    application = create_app(module_app_config)
    yield application
    _close(application)


def _close(application: Flask) -> None:
    """Let the app's background jobs end, then close its database connections (none left to the collector)."""
    jobs.drain(application)
    application.extensions["db_engine"].dispose()


@pytest.fixture
def make_app() -> Iterator[Callable[..., Flask]]:
    """`create_app` for tests that need their own config; every engine it made is disposed at teardown.

    An engine left to the garbage collector closes its PostgreSQL connections in `__del__`,
    which warns (an error under our settings) in whichever later test happens to collect it.
    """
    made: list[Flask] = []

    def make(config: dict[str, Any] | None = None) -> Flask:
        application = create_app(config)
        made.append(application)
        return application

    yield make
    for application in made:
        _close(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client for `app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner for `app`."""
    return app.test_cli_runner()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(app_config: dict[str, Any]) -> Iterator[str]:
    """The app served on a free loopback port, CSRF on as in production; yields its base URL."""
    yield from _serve(app_config)


@pytest.fixture(scope="module")
def module_live_server(module_app_config: dict[str, Any]) -> Iterator[str]:
    """`live_server` over the module's shared database, served once for all the module's tests."""
    yield from _serve(module_app_config)


def _serve(app_config: dict[str, Any]) -> Iterator[str]:
    config = dict(app_config, WTF_CSRF_ENABLED=True)
    application = create_app(config)
    port = _free_port()
    server: BaseWSGIServer = make_server("127.0.0.1", port, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)
    _close(application)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright; skipped locally if absent, fatal on CI.

    Every context it opens waits up to BROWSER_TIMEOUT_MS for anything.
    """
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; .ci/run should have installed Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=BROWSER_TIMEOUT_MS)
        yield _PatientBrowser(instance)
        instance.close()


class _PatientBrowser:
    """The Playwright browser, whose contexts and pages wait up to BROWSER_TIMEOUT_MS (set here, once)."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        return context

    def new_page(self, **options: Any) -> Any:
        page = self._browser.new_page(**options)
        page.context.set_default_timeout(BROWSER_TIMEOUT_MS)
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def mailbox() -> Iterator[Any]:
    """A real SMTP server (aiosmtpd) on a free port; point MAIL_URL at `mailbox.url` and read `mailbox.messages`."""
    from tests.mailbox import Mailbox

    box = Mailbox()
    box.start()
    yield box
    box.stop()
