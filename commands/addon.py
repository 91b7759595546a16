"""`massage-course decks addon`: write the course's Anki add-on as a `.ankiaddon` file.

It sits in `commands` because the add-on (`anki_addon/`) is a root of its own
that no package of the app imports; the command joins the `decks` group.
"""

from __future__ import annotations

from pathlib import Path

import click

from anki_addon.build import write_addon


@click.command("addon")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out/decks"),
              show_default=True, help="Folder to write the .ankiaddon file to.")
def addon_command(out: Path) -> None:
    """Build the Anki add-on that syncs a learner's collection with the course both ways."""
    try:
        path = write_addon(out)
    except OSError as error:
        raise click.ClickException(f"cannot write the add-on: {error}") from None
    click.echo(f"wrote {path} ({path.stat().st_size:,} bytes): install it in Anki with Tools → Add-ons → "
               "Install from file")
