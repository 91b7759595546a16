"""Anki deck downloads: `/decks/` lists the packages; the course, each module and a class's selection.

The web app may not import `decks` (import-linter), so the builder arrives by
injection: `commands` puts `decks.build_package` into `app.config["DECK_BUILDER"]`.
Without it the listing says decks are not available here and downloads are 404.

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
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from flask import Blueprint, Flask, abort, current_app, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import exists, or_, select

from course.models import Module
from quizzes.bank import Bank
from webapp.db import get_session
from webapp.models import Enrollment, SchoolClass
from webapp.questionbank import get_bank

bp = Blueprint("decks", __name__, url_prefix="/decks")

MIMETYPE = "application/apkg"


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
    wanted = set(module_ids) or {module.id for module in with_questions}
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


def cache_folder(root: Path, bank: Bank) -> Path:
    """`<root>/<release>-<hash>`: new content, new folder (the hash catches edits made without a release)."""
    digest = hashlib.sha256(repr((bank.course, bank.questions)).encode()).hexdigest()[:12]
    return root / f"{bank.course.release.isoformat()}-{digest}"


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


def _builder() -> DeckBuilder | None:
    builder = current_app.config.get("DECK_BUILDER")
    return builder if callable(builder) else None


def _unavailable(status: int) -> ResponseReturnValue:
    return render_template("decks/unavailable.html"), status


def _send(deck: DeckFile, download_name: str) -> ResponseReturnValue:
    builder = _builder()
    if builder is None:
        return _unavailable(404)
    bank = get_bank()
    try:
        path = ensure_built(current_app.extensions["deck_folder"], deck, bank, builder)
    except Exception:  # the builder is injected: any failure is "cannot build now", logged for us
        current_app.logger.exception("building the Anki package %s failed", deck.cache_name)
        return render_template("decks/build_failed.html", deck=deck), 503
    # ETag and Last-Modified from the file; no max-age, so a browser revalidates and gets a new release.
    return send_file(path, mimetype=MIMETYPE, as_attachment=True, download_name=download_name)


def _my_classes() -> list[SchoolClass]:
    """Classes the signed-in visitor teaches or has joined (not archived), by name."""
    if not current_user.is_authenticated:
        return []
    enrolled = exists().where(Enrollment.class_id == SchoolClass.id, Enrollment.user_id == current_user.id)
    return list(get_session().scalars(
        select(SchoolClass)
        .where(or_(SchoolClass.instructor_id == current_user.id, enrolled), SchoolClass.archived.is_(False))
        .order_by(SchoolClass.name, SchoolClass.id)
    ))


def _reachable_class(class_id: int) -> SchoolClass | None:
    """The class if the visitor teaches it or is enrolled in it; None otherwise (and for anonymous visitors)."""
    if not current_user.is_authenticated:
        return None
    enrolled = exists().where(Enrollment.class_id == class_id, Enrollment.user_id == current_user.id)
    return get_session().scalar(
        select(SchoolClass).where(SchoolClass.id == class_id, or_(SchoolClass.instructor_id == current_user.id, enrolled))
    )


def class_download_name(course_id: str, school_class: SchoolClass) -> str:
    """`massage-safety--class-7-spring-cohort.apkg`: ASCII, so every phone saves it under that name."""
    slug = re.sub(r"[^a-z0-9]+", "-", school_class.name.lower()).strip("-")[:40].strip("-")
    return f"{course_id}--class-{school_class.id}{'-' + slug if slug else ''}.apkg"


@bp.get("/")
def index() -> ResponseReturnValue:
    """Every package with its modules and note count, the visitor's class decks, how to update."""
    if _builder() is None:
        return _unavailable(200)
    bank = get_bank()
    files = list(catalogue(bank).values())
    classes = [(c, selection_deck(bank, c.modules or [], c.name)) for c in _my_classes()]
    return render_template(
        "decks/index.html", course=bank.course, course_deck=files[0], module_decks=files[1:],
        classes=classes,
    )


@bp.get("/<filename>")
def download(filename: str) -> ResponseReturnValue:
    """A public package by its file name (only names from the catalogue: nothing else is reachable)."""
    deck = catalogue(get_bank()).get(filename)
    if deck is None:
        abort(404)
    return _send(deck, deck.cache_name)


@bp.get("/class/<int:class_id>.apkg")
def class_download(class_id: int) -> ResponseReturnValue:
    """A class's own selection of modules, for its students and its instructor; 404 for anyone else."""
    school_class = _reachable_class(class_id)
    if school_class is None:
        abort(404)
    bank = get_bank()
    deck = selection_deck(bank, school_class.modules or [], school_class.name)
    if deck is None:
        abort(404)
    response = current_app.make_response(_send(deck, class_download_name(bank.course.id, school_class)))
    response.cache_control.private = True  # only the class may fetch it: no shared caches
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint and fix the cache folder for this content (DECK_CACHE_DIR, else `<instance>/decks`)."""
    root = Path(app.config.get("DECK_CACHE_DIR") or Path(app.instance_path) / "decks")
    app.extensions["deck_folder"] = cache_folder(root, app.extensions["bank"])
    app.register_blueprint(bp)
