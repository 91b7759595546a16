"""The Anki decks page in Chromium: axe-core, screenshots at 375 px and desktop, light and dark (each load looked at
in both), a real download."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from decks.package import build_package
from tests.browser.helpers import PHONE, VIEWPORTS, join_class, look, make_class, signup
from webapp.platform.db import make_engine
from webapp.platform.models import SchoolClass

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The live server gets the real deck builder and a cache folder of the test's own."""
    return dict(app_config, DECK_BUILDER=build_package, DECK_CACHE_DIR=str(tmp_path / "decks"))


def _class_with_two_modules(database_url: str) -> str:
    code = make_class(database_url, join_code="DECKS2")
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        session.execute(update(SchoolClass).where(SchoolClass.join_code == code).values(modules=["nerve-injury", "neck-safety"]))
        session.commit()
    engine.dispose()
    return code


def test_decks_page_looks_finished_and_passes_axe(browser: Any, live_server: str, database_url: str,
                                                  artifacts: Path) -> None:
    code = _class_with_two_modules(database_url)
    for viewport, size in VIEWPORTS.items():
        context = browser.new_context(viewport=size)
        page = context.new_page()
        page.goto(f"{live_server}/decks/")
        assert page.get_by_role("heading", name="How to update your deck").is_visible()
        look(page, artifacts, f"decks-{viewport}")

        signup(page, live_server, email=f"decks-{viewport}@example.com")
        join_class(page, live_server, code)
        page.goto(f"{live_server}/decks/")
        assert page.get_by_role("heading", name="Your class").is_visible()
        look(page, artifacts, f"decks-class-{viewport}")
        context.close()


def test_download_button_saves_an_anki_package(browser: Any, live_server: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server}/decks/")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the whole course").click()
    download = info.value
    assert download.suggested_filename == "massage-safety.apkg"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert "collection.anki2" in archive.namelist()
    context.close()
