"""The `.ankiaddon` file: what Anki's installer needs, the same bytes every build, and the glue inert outside Anki."""

from __future__ import annotations

import importlib
import io
import json
import sys
import zipfile
from pathlib import Path

from click.testing import CliRunner

from anki_addon.build import FILENAME, FILES, addon_bytes
from commands import main


def test_the_cli_writes_the_add_on_with_its_files_at_the_root(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["decks", "addon", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "out" / FILENAME
    assert f"wrote {path}" in result.output
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == list(FILES)  # no folder: Anki installs the zip's root
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["package"] == "massage_safety_course_sync" and manifest["name"]
        config = json.loads(archive.read("config.json"))
        assert config == {"server_url": "", "token": "", "sync_with_anki": True}
        assert b"import webapp" not in archive.read("sync.py") and b"genanki" not in archive.read("sync.py")
    assert path.read_bytes() == addon_bytes()  # reproducible


def test_the_packaged_add_on_loads_as_anki_loads_it_and_adds_nothing_outside_anki(tmp_path: Path
) -> None:
    folder = tmp_path / "addons21" / "massage_safety_course_sync"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(io.BytesIO(addon_bytes())) as archive:
        archive.extractall(folder)

    sys.path.insert(0, str(folder.parent))
    try:
        package = importlib.import_module("massage_safety_course_sync")
        sync = importlib.import_module("massage_safety_course_sync.sync")
        assert package._mw is None  # no Anki window: no menu, no hook
        assert sync.Report(updated=12, retired=3, reviews_sent=140).summary() == (
            "12 notes updated, 3 retired, 140 reviews sent")
    finally:
        sys.path.remove(str(folder.parent))
        for name in [name for name in sys.modules if name.startswith("massage_safety_course_sync")]:
            del sys.modules[name]
