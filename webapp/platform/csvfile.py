"""CSV downloads: the one place a spreadsheet file is written, so every export is safe to open."""

from __future__ import annotations

import csv
import io
import re
from typing import Iterable, Sequence

from flask import Response


def csv_download(rows: Iterable[Sequence[object]], header: Sequence[str], filename: str) -> Response:
    """A UTF-8 CSV attachment with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return Response(buffer.getvalue().encode("utf-8"), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def safe_cell(value: str) -> str:
    """A typed-in text made inert for a spreadsheet."""
    # A cell starting with = + - @ is a formula to a spreadsheet (CSV injection).
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


def filename_slug(name: str) -> str:
    """A class name as a safe file-name part ("Spring 2027!" -> "spring-2027")."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "class"
