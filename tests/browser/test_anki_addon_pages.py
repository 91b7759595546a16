"""The Anki add-on's pages in Chromium: a token made, copied and revoked on /account; the add-on on /decks/.

axe-core on each, light and dark, at 375 and 1280 px; screenshots in tests/artifacts/.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from anki_addon.build import addon_bytes
from decks.package import build_package
from tests.browser.helpers import DESKTOP, PHONE, check_axe, shoot, signup

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The live server with the deck builder and the add-on handed in, as `commands` does."""
    return dict(app_config, DECK_BUILDER=build_package, ADDON_BUILDER=addon_bytes,
                DECK_CACHE_DIR=str(tmp_path / "decks"))


def _look(page: Any, artifacts: Path, name: str, width: int) -> None:
    page.wait_for_load_state("load")
    check_axe(page, name)
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{name} scrolls sideways at {width} px ({scrolled} px wide)"
    shoot(page, artifacts, name)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_token_made_copied_and_revoked_and_the_add_on_offered(browser: Any, live_server: str, artifacts: Path,
                                                              scheme: str, tmp_path: Path) -> None:
    for viewport, size in (("desktop", DESKTOP), ("phone", PHONE)):
        tag = f"{viewport}-{scheme}"
        context = browser.new_context(viewport=size, color_scheme=scheme, accept_downloads=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
        page = context.new_page()
        signup(page, live_server, email=f"addon-{tag}@example.com")
        page.goto(f"{live_server}/account/")
        page.get_by_label("Name this token").fill("Anki on my laptop")
        page.get_by_role("button", name="Make a token").click()
        token = page.get_by_label("Your new token").input_value()
        assert token.startswith("msc_")
        page.get_by_role("button", name="Copy token").click()
        page.locator("#token-copy-status").filter(has_text="Token copied").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == token
        _look(page, artifacts, f"account-token-made-{tag}", size["width"])

        page.goto(f"{live_server}/account/")
        assert token not in page.content()
        assert page.get_by_text("not used yet").is_visible()
        page.get_by_role("button", name="Revoke Anki on my laptop").click()
        page.get_by_text("Token revoked").wait_for()
        _look(page, artifacts, f"account-token-revoked-{tag}", size["width"])

        page.goto(f"{live_server}/decks/")
        assert page.get_by_role("heading", name="Keep your deck up to date automatically").is_visible()
        _look(page, artifacts, f"decks-addon-{tag}", size["width"])
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the add-on").click()
        saved = tmp_path / f"{tag}.ankiaddon"
        info.value.save_as(saved)
        assert info.value.suggested_filename == "massage-safety-sync.ankiaddon"
        with zipfile.ZipFile(saved) as archive:
            assert "manifest.json" in archive.namelist()
        context.close()
