"""Build an Anki package from the question bank: the course, a module, or a selection.

Every package has the same deck tree (`Massage Safety` and one subdeck per
module, with fixed ids and names), so notes land in the same decks whichever
package a learner imports, and importing the course after a module package
updates notes instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

import genanki

from course.models import Module
from decks.apkg import write_apkg
from decks.errors import DecksError
from decks.ids import ROOT_DECK_ID, ROOT_DECK_NAME, epoch_seconds, module_deck_id, module_deck_name
from decks.ledger import Ledger, Shape, model_digest, note_digest, note_type_key
from decks.media import body_maps
from decks.notes import Lookup, to_note
from decks.retired import retired_note
from quizzes.bank import Bank
from quizzes.questions import HotspotQuestion


@dataclass(frozen=True)
class BuildReport:
    """What one build wrote."""

    path: Path
    modules: tuple[str, ...]  # module ids, in course order
    decks: tuple[str, ...]  # deck names, parents first
    notes: int  # the questions' notes
    cards: int
    media: tuple[str, ...]  # media file names
    retired: int = 0  # notices for questions that left these modules (notes without cards, decks.retired)

    def summary(self) -> str:
        """One line for a person: the file and what it holds."""
        retired = f", {self.retired} retired-question notices" if self.retired else ""
        return (f"{self.path}: {self.notes} notes, {self.cards} cards, {len(self.media)} media files{retired} "
                f"({', '.join(self.modules)})")


@dataclass(frozen=True)
class Assembly:
    """The genanki objects of a package, before they are written."""

    modules: tuple[str, ...]  # module ids, in course order
    decks: tuple[genanki.Deck, ...]  # the root deck, then one per module with questions
    note_mod: dict[str, int]  # note GUID -> Unix seconds of its last content change (retired notices too)
    retired: tuple[str, ...]  # GUIDs of the retired-question notices, written without cards
    model_mod: dict[int, int]  # note type id -> Unix seconds of its look's last change
    media: dict[str, bytes]  # file name -> content
    timestamp: int  # the newest note time of the selection, Unix seconds (note types' time)
    cards: int


def build_package(bank: Bank, modules: Sequence[str] | None, out_path: Path | str, *,
                  ledger: Ledger | None = None, public_url: str | None = None) -> BuildReport:
    """Write an .apkg with the questions of `modules` (all modules when None) to `out_path`.

    Args:
        bank: the course's question bank.
        modules: module ids to include, e.g. a class's selection; None for the whole course.
        out_path: the file to write (parent folders are created; replaced atomically).
        ledger: note times (decks.ledger); None reads the committed `decks/notes.lock`.
            Building never writes the ledger: `massage-course decks build` does.
        public_url: the web app's public address; with it, each note links its lesson's page.

    Returns:
        What was written.

    Raises:
        DecksError: an unknown module id, a selection without questions, a
            question that cannot become a note, or a ledger that does not
            know a note as it now reads (`make decks` was not run). Nothing is written then.
    """
    assembly = assemble(bank, modules, ledger=Ledger.load() if ledger is None else ledger, public_url=public_url)
    path = Path(out_path)
    write_apkg(assembly.decks, path, timestamp=assembly.timestamp, note_mod=assembly.note_mod, media=assembly.media,
               model_mod=assembly.model_mod, cardless=frozenset(assembly.retired))
    return BuildReport(
        path=path,
        modules=assembly.modules,
        decks=tuple(deck.name for deck in assembly.decks),
        notes=len(assembly.note_mod) - len(assembly.retired),
        cards=assembly.cards,
        media=tuple(sorted(assembly.media)),
        retired=len(assembly.retired),
    )


def assemble(bank: Bank, modules: Sequence[str] | None, *, ledger: Ledger,
             public_url: str | None = None) -> Assembly:
    """The decks, notes and media of a package of `modules` (all when None), note times from `ledger`.

    Raises:
        DecksError: as `build_package`.
    """
    selected = select_modules(bank, modules)
    lookup = Lookup.of(bank.course, public_url)
    # Digests are of the note without links: where the web app is deployed is
    # not content, and every build must find its notes in the same ledger.
    canonical = Lookup.of(bank.course)
    decks = [genanki.Deck(ROOT_DECK_ID, ROOT_DECK_NAME, description=escape(bank.course.description))]
    digests: dict[str, str] = {}  # item id (or note-type key) -> digest
    guids: dict[str, str] = {}  # item id -> note GUID
    note_types: dict[str, int] = {}  # note-type key -> model id
    sites: set[str] = set()
    cards = 0
    for module in selected:
        deck = genanki.Deck(module_deck_id(module.id), module_deck_name(module.title),
                            description=escape(module.summary))
        for question in bank.by_module(module.id):
            note = to_note(question, lookup)
            deck.add_note(note)
            digests[question.id] = note_digest(note if public_url is None else to_note(question, canonical))
            guids[question.id] = note.guid
            note_types[note_type_key(note.model)] = note.model.model_id
            digests[note_type_key(note.model)] = model_digest(note.model)
            cards += len(note.cards)
            if isinstance(question, HotspotQuestion):
                sites.add(question.region)
        if deck.notes:  # a module without questions gets no empty deck in the learner's tree
            decks.append(deck)
    if not guids:
        raise DecksError(f"no questions in module(s) {', '.join(m.id for m in selected)}")
    ledger.require_current(digests)
    times = ledger.times(digests, floor=epoch_seconds(bank.course.release))
    note_mod = {guids[item]: times[item] for item in guids}
    model_mod = {model_id: times[key] for key, model_id in note_types.items()}
    # Questions that left these modules: a notice in their place, in the root deck (it has no cards).
    wanted = {module.id for module in selected}
    retired: list[str] = []
    for item_id, entry in ledger.retired().items():
        if entry.shape is None or entry.shape.module not in wanted or item_id in guids:
            continue
        note = retired_note(item_id, entry)
        decks[0].add_note(note)
        retired.append(note.guid)
        note_mod[note.guid] = entry.seconds
        known = ledger.entries.get(note_type_key(note.model))
        if note.model.model_id not in model_mod and known is not None:
            model_mod[note.model.model_id] = known.seconds
    return Assembly(
        modules=tuple(module.id for module in selected),
        decks=tuple(decks),
        note_mod=note_mod,
        retired=tuple(retired),
        model_mod=model_mod,
        media=body_maps(sites),
        timestamp=max(note_mod.values()),
        cards=cards,
    )


def bank_digests(bank: Bank) -> dict[str, str]:
    """Item id -> digest of its note for every question, and of each note type used (what the ledger records).

    Raises:
        DecksError: a question that cannot become a note.
    """
    lookup = Lookup.of(bank.course)
    digests = {}
    for question in bank.questions:
        note = to_note(question, lookup)
        digests[question.id] = note_digest(note)
        digests[note_type_key(note.model)] = model_digest(note.model)
    return digests


def bank_shapes(bank: Bank) -> dict[str, Shape]:
    """Item id -> its note's shape (note type, card ordinals, module): what the ledger keeps for retiring it.

    Raises:
        DecksError: a question that cannot become a note.
    """
    lookup = Lookup.of(bank.course)
    shapes = {}
    for question in bank.questions:
        note = to_note(question, lookup)
        shapes[question.id] = Shape(note.model.model_id, tuple(card.ord for card in note.cards), question.module)
    return shapes


def package_filename(course_id: str, module_id: str | None = None) -> str:
    """The file name of the course package, or of one module's: `massage-safety--nerve-injury.apkg`."""
    return f"{course_id}--{module_id}.apkg" if module_id else f"{course_id}.apkg"


def select_modules(bank: Bank, modules: Sequence[str] | None) -> list[Module]:
    """The bank's modules named in `modules` (all when None), in course order.

    Raises:
        DecksError: a module id the course does not have.
    """
    known = {module.id for module in bank.modules}
    if modules is None:
        return list(bank.modules)
    unknown = [module for module in modules if module not in known]
    if unknown:
        raise DecksError(f"unknown module(s) {', '.join(unknown)}; the course has {', '.join(sorted(known))}")
    if not modules:
        raise DecksError("no modules selected")
    wanted = set(modules)
    return [module for module in bank.modules if module.id in wanted]
