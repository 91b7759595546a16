"""Anki deck downloads: `/decks/` lists the packages; the course, each module and a class's selection.

The web app may not import `decks` (import-linter), so the builder arrives by
injection: `commands` puts `decks.build_package` into `app.config["DECK_BUILDER"]`.
Without it the listing says decks are not available here and downloads are 404.
The course's Anki add-on arrives the same way (`ADDON_BUILDER`, `anki_addon.build.addon_bytes`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask import abort, current_app, render_template, send_file
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import exists, or_, select

from webapp.downloads import bp
from webapp.downloads.files import DeckBuilder, DeckFile, catalogue, ensure_built, selection_deck
from webapp.platform.content import get_bank
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, SchoolClass

MIMETYPE = "application/apkg"
ADDON_NAME = "massage-safety-sync.ankiaddon"


def _builder() -> DeckBuilder | None:
    builder = current_app.config.get("DECK_BUILDER")
    return builder if callable(builder) else None


def _addon_builder() -> Callable[[], bytes] | None:
    builder = current_app.config.get("ADDON_BUILDER")
    return builder if callable(builder) else None


def _unavailable(status: int) -> ResponseReturnValue:
    return render_template("downloads/unavailable.html"), status


def _send(deck: DeckFile, download_name: str) -> ResponseReturnValue:
    builder = _builder()
    if builder is None:
        return _unavailable(404)
    bank = get_bank()
    try:
        path = ensure_built(current_app.extensions["deck_folder"], deck, bank, builder)
    except Exception:  # the builder is injected: any failure is "cannot build now", logged for us
        current_app.logger.exception("building the Anki package %s failed", deck.cache_name)
        return render_template("downloads/build_failed.html", deck=deck), 503
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
        "downloads/index.html", course=bank.course, course_deck=files[0], module_decks=files[1:],
        classes=classes, addon_available=_addon_builder() is not None, addon_name=ADDON_NAME,
    )


@bp.get("/" + ADDON_NAME)
def addon() -> ResponseReturnValue:
    """The course's Anki add-on (`anki_addon/`, built by the injected `ADDON_BUILDER`); 404 when not offered."""
    builder = _addon_builder()
    if builder is None:
        abort(404)
    return send_file(io.BytesIO(builder()), mimetype="application/zip", as_attachment=True, download_name=ADDON_NAME)


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
