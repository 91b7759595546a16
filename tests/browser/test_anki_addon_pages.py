"""The Anki add-on's pages in Chromium: a token made, copied and revoked on /account; the add-on on /decks/.

axe-core on each, light and dark (one walk per width, each page looked at in both), at 375 and 1280 px;
screenshots in tests/artifacts/.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from anki_addon.build import addon_bytes
from decks.package import build_package
from tests.browser.helpers import VIEWPORTS, look, signup

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The live server with the deck builder and the add-on handed in, as `commands` does."""
    return dict(app_config, DECK_BUILDER=build_package, ADDON_BUILDER=addon_bytes,
                DECK_CACHE_DIR=str(tmp_path / "decks"))


def test_token_made_copied_and_revoked_and_the_add_on_offered(browser: Any, live_server: str, artifacts: Path,
                                                              tmp_path: Path) -> None:
    for viewport, size in VIEWPORTS.items():
        context = browser.new_context(viewport=size, accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page = context.new_page()
        signup(page, live_server, email=f"addon-{viewport}@example.com")
        page.goto(f"{live_server}/account/")
        page.get_by_label("Name this token").fill("Anki on my laptop")
        page.get_by_role("button", name="Make a token").click()
        token = page.get_by_label("Your new token").input_value()
        assert token.startswith("msc_")
        page.get_by_role("button", name="Copy token").click()
        page.locator("#token-copy-status").filter(has_text="Token copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == token
        look(page, artifacts, f"account-token-made-{viewport}")

        page.goto(f"{live_server}/account/")
        assert token not in page.content()
        assert page.get_by_text("not used yet").is_visible()
        page.get_by_role("button", name="Revoke Anki on my laptop").click()
        page.get_by_text("Token revoked").wait_for()
        look(page, artifacts, f"account-token-revoked-{viewport}")

        page.goto(f"{live_server}/decks/")
        assert page.get_by_role("heading", name="Keep your deck up to date automatically").is_visible()
        look(page, artifacts, f"decks-addon-{viewport}")
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the add-on").click()
        saved = tmp_path / f"{viewport}.ankiaddon"
        info.value.save_as(saved)
        assert info.value.suggested_filename == "massage-safety-sync.ankiaddon"
        with zipfile.ZipFile(saved) as archive:
            assert "manifest.json" in archive.namelist()
        context.close()
