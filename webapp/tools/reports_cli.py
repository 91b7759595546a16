"""`massage-course reports --out FILE`: open question reports for the course authors.

One line per item, sorted by item id, in the `path:line: ...` form the content
checker uses, so an editor jumps to the question; the reports follow, indented.
Comments are written as plain text on one line each.
"""

from __future__ import annotations

from pathlib import Path

import click

from webapp import create_app
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.migrate import upgrade
from webapp.reports.forms import REASONS
from webapp.reports.service import one_line, open_items


@click.command("reports")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write the list to ('-' for standard output).")
def reports_command(out: Path) -> None:
    """List open question reports by item id, with each item's source file and line."""
    app = create_app()
    upgrade(app.config["DATABASE_URL"])
    lines: list[str] = []
    try:
        with app.app_context():
            items = open_items(get_session(), get_bank())
            for item in items:
                count = len(item.reports)
                lines.append(f"{item.location}: {item.item_id}: {count} open report{'s' if count != 1 else ''}")
                for report in item.reports:
                    comment = f": {one_line(report.comment)}" if report.comment else ""
                    lines.append(f"    {report.created_at:%Y-%m-%d} {REASONS.get(report.reason, report.reason)}{comment}")
    finally:
        app.extensions["db_engine"].dispose()
    text = "\n".join(lines) + ("\n" if lines else "")
    if str(out) == "-":
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''} with open reports written to {out}")
