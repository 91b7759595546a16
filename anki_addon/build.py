"""Build the `.ankiaddon` file: the add-on's files at the zip's root, as Anki's add-on installer expects.

Only the files Anki runs go in (not this builder, not caches), each with a fixed
date, so the same source always gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

FOLDER = Path(__file__).parent
FILES = ("__init__.py", "client.py", "sync.py", "manifest.json", "config.json", "config.md")
FILENAME = "massage-safety-sync.ankiaddon"
_DATE = (2026, 1, 1, 0, 0, 0)


def addon_bytes() -> bytes:
    """The `.ankiaddon` file's content."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in FILES:
            info = zipfile.ZipInfo(name, date_time=_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, (FOLDER / name).read_bytes())
    return buffer.getvalue()


def write_addon(out_dir: Path) -> Path:
    """Write the `.ankiaddon` into `out_dir` (created if needed); its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILENAME
    partial = path.with_name(f".{FILENAME}.partial")
    partial.write_bytes(addon_bytes())
    partial.replace(path)
    return path
