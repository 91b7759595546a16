"""Anki export with genanki: the only package that imports genanki.

`build_package(bank, modules, out_path)` writes the course (modules=None), one
module, or any selection of modules as an .apkg and returns a `BuildReport`;
`package_filename` names the files the CLI writes. Identity (GUIDs, deck and
note-type ids) is in decks.ids; note times in decks.ledger (the committed
`decks/notes.lock`); the note types in decks.models.
"""

from decks.errors import DecksError
from decks.package import BuildReport, build_package, package_filename

__all__ = ["BuildReport", "DecksError", "build_package", "package_filename"]
