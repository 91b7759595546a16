"""The downloadable Anki packages: which exist, and a build cache shared safely by workers.

Files are built on first request into `<instance>/decks/<release>-<content hash>/`
(DECK_CACHE_DIR replaces `<instance>/decks`), so a content release, or any
content edit, gets new files and an old file is never served as current.
Builds are serialised per file with `flock` and written to a private scratch
folder before `os.replace`, so two workers asking for the same file at once
never see or produce a half-written package.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from course.models import Module
from quizzes.bank import Bank
from webapp.classes.settings import modules_of
from webapp.platform.content import content_key


class DeckBuilder(Protocol):
    """Writes an .apkg of `modules` (all when None) to `out_path`; `decks.build_package` is one."""

    def __call__(self, bank: Bank, modules: Sequence[str] | None, out_path: Path, /) -> object: ...


@dataclass(frozen=True)
class DeckFile:
    """One downloadable package: what it holds, and where it is cached."""

    cache_name: str  # file name in the cache folder; for the course and modules also the URL
    title: str
    modules: tuple[Module, ...]  # in course order
    selection: tuple[str, ...] | None  # module ids for the builder; None: the whole course
    notes: int  # one note per question, counted from the bank without building


def deck_filename(course_id: str, module_id: str | None = None) -> str:
    """The course's or a module's file name; the same as `decks.package_filename` (a test holds them equal)."""
    return f"{course_id}--{module_id}.apkg" if module_id else f"{course_id}.apkg"


def catalogue(bank: Bank) -> dict[str, DeckFile]:
    """The public packages by file name: the course first, then each module that has questions."""
    counts = {module.id: len(bank.by_module(module.id)) for module in bank.modules}
    files = [DeckFile(deck_filename(bank.course.id), bank.course.title, tuple(bank.modules), None, sum(counts.values()))]
    files += [
        DeckFile(deck_filename(bank.course.id, module.id), module.title, (module,), (module.id,), counts[module.id])
        for module in bank.modules
        if counts[module.id]
    ]
    return {deck.cache_name: deck for deck in files}


def selection_deck(bank: Bank, module_ids: Sequence[str], title: str) -> DeckFile | None:
    """The package of a selection of modules (empty: the whole course); None if it has no questions.

    Module ids the course no longer has are ignored. A selection equal to the
    course or to one module shares that file, so it is built once.
    """
    public = catalogue(bank)
    with_questions = [module for module in bank.modules if bank.by_module(module.id)]
    wanted = set(modules_of(module_ids, bank.course))
    modules = tuple(module for module in with_questions if module.id in wanted)
    if not modules:
        return None
    if len(modules) == len(with_questions):
        chosen = public[deck_filename(bank.course.id)]
    elif len(modules) == 1:
        chosen = public[deck_filename(bank.course.id, modules[0].id)]
    else:
        ids = tuple(module.id for module in modules)
        digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
        notes = sum(len(bank.by_module(module_id)) for module_id in ids)
        chosen = DeckFile(f"{bank.course.id}--selection-{digest}.apkg", title, modules, ids, notes)
    return DeckFile(chosen.cache_name, title, chosen.modules, chosen.selection, chosen.notes)


def cache_folder(root: Path, bank: Bank, deck_version: str = "") -> Path:
    """`<root>/<release>-<hash>`: new content or a new deck build, new folder.

    The hash covers the content (edits made without a release) and
    `deck_version`, which the deck builder's owner sets (DECK_VERSION: the note
    ledger and card templates), so a deploy that changes only the cards is
    never served from an old cache.
    """
    return root / content_key(bank, deck_version)


def ensure_built(folder: Path, deck: DeckFile, bank: Bank, builder: DeckBuilder) -> Path:
    """The cached file of `deck`, building it first if no worker has yet.

    Raises:
        Whatever the builder raises; nothing is left in the cache then.
    """
    target = folder / deck.cache_name
    if target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{deck.cache_name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if target.exists():  # built by another worker while we waited
            return target
        # A scratch folder of our own: the builder's temporary names are then ours alone.
        with tempfile.TemporaryDirectory(dir=folder, prefix=".build-") as scratch:
            built = Path(scratch) / deck.cache_name
            builder(bank, deck.selection, built)
            os.replace(built, target)
    return target
