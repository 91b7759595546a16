"""CSV downloads: the one place a spreadsheet file is written, so every export is safe to open.

Every field is quoted, and every text cell goes through `safe_cell`: control
characters (CR and LF included, and the Unicode line and paragraph separators)
become spaces, so no reader that splits lines on a bare CR or LF can start a
row inside a cell, and a cell that a spreadsheet would run as a formula gets a
leading apostrophe. Numbers written as numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable, Sequence

from flask import Response

# C0 and C1 controls, DEL, and the line/paragraph separators that some readers split lines on.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
FORMULA_STARTS = ("=", "+", "-", "@")


def csv_download(rows: Iterable[Sequence[object]], header: Sequence[str], filename: str) -> Response:
    """A UTF-8 CSV attachment with a header row, every field quoted and every text cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) if isinstance(cell, str) else cell for cell in row] for row in rows)
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def safe_cell(value: str) -> str:
    """A typed-in text made inert for a spreadsheet: controls to spaces, a formula start escaped."""
    value = CONTROLS.sub(" ", value)
    # A cell starting with = + - @ (after any spaces a spreadsheet may trim) is a formula to it (CSV injection);
    # a plain number such as -0.25 is not, and stays a number.
    if value.lstrip()[:1] in FORMULA_STARTS and not NUMBER.match(value.strip()):
        return "'" + value
    return value


def filename_slug(name: str) -> str:
    """A class name as a safe file-name part ("Spring 2027!" -> "spring-2027")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "class"
