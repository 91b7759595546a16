"""Benchmark: the full-course Anki build against genanki alone writing the same notes.

Run from the repository root: `.venv/bin/python -m benchmarks.bench_decks [--rounds N]`. Prints a Markdown
table for benchmarks/RESULTS.md ("## Anki decks"). The targets (issue 7): a full
course build under 1 s, and no more than twice genanki's own time.

"genanki alone" gets the finished field values, GUIDs, tags and media files,
and times constructing its notes and `Package.write_to_file`; ours times
everything `build_package` does: question -> note, body-map SVGs, the
reproducible writer.
"""

from __future__ import annotations

import argparse
import io
import itertools
import sqlite3
import statistics
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import genanki

from benchmarks.timing import timed
from course import load_course
from decks.package import assemble, build_package
from quizzes.bank import Bank, build_bank


def _genanki_alone(bank: Bank, folder: Path, *, in_memory: bool) -> Callable[[], object]:
    """A closure writing the same decks, notes and media with plain genanki.

    `in_memory=False` is genanki's own `Package.write_to_file` (a temporary
    database file on disk, synced on commit); `in_memory=True` is its
    `write_to_db` into an in-memory database zipped in memory: genanki's CPU
    work alone, the strictest baseline.
    """
    assembly = assemble(bank, None)
    specs = [(deck.deck_id, deck.name, deck.description,
              [(note.model, list(note.fields), note.guid, list(note.tags)) for note in deck.notes])
             for deck in assembly.decks]
    media_files = []
    for name, data in assembly.media.items():
        (folder / name).write_bytes(data)
        media_files.append(str(folder / name))

    def write() -> None:
        decks = []
        for deck_id, name, description, notes in specs:
            deck = genanki.Deck(deck_id, name, description=description)
            for model, fields, guid, tags in notes:
                deck.add_note(genanki.Note(model=model, fields=fields, guid=guid, tags=tags))
            decks.append(deck)
        package = genanki.Package(decks, media_files=media_files)
        if not in_memory:
            package.write_to_file(folder / "genanki.apkg", timestamp=assembly.timestamp)
            return
        connection = sqlite3.connect(":memory:")
        package.write_to_db(connection.cursor(), assembly.timestamp, itertools.count(assembly.timestamp * 1000))
        connection.commit()
        with zipfile.ZipFile(io.BytesIO(), "w") as archive:
            archive.writestr("collection.anki2", connection.serialize())
            for index, path in enumerate(media_files):
                archive.write(path, str(index))
        connection.close()

    return write


def main(argv: list[str] | None = None) -> int:
    """Run both builds `--rounds` times and print the table; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    bank = build_bank(load_course())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours = timed(lambda: build_package(bank, None, folder / "ours.apkg"), args.rounds)
        alone = timed(_genanki_alone(bank, folder, in_memory=False), args.rounds)
        memory = timed(_genanki_alone(bank, folder, in_memory=True), args.rounds)
        report = build_package(bank, None, folder / "ours.apkg")
    ours_ms, alone_ms = statistics.median(ours) * 1000, statistics.median(alone) * 1000
    ratio, strict = ours_ms / alone_ms, ours_ms / (statistics.median(memory) * 1000)
    print(f"Full course: {report.notes} notes, {report.cards} cards, {len(report.media)} media files; "
          f"median of {args.rounds} rounds after one warm-up.\n")
    print("| build | median ms | min ms | max ms |")
    print("|---|---|---|---|")
    rows = (("build_package (whole course, from the bank)", ours),
            ("genanki alone: Package.write_to_file, same notes and media", alone),
            ("genanki alone: write_to_db in memory + zip in memory", memory))
    for label, times in rows:
        print(f"| {label} | {statistics.median(times) * 1000:.0f} | {min(times) * 1000:.0f} | {max(times) * 1000:.0f} |")
    print(f"\nratio ours / genanki write_to_file: {ratio:.2f} (target <= 2); "
          f"ours / genanki in memory: {strict:.2f}; full build {ours_ms:.0f} ms (target < 1000)")
    return 0 if ours_ms < 1000 and ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
