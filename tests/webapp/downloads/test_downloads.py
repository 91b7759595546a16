"""Anki deck downloads: the listing, the course and module files, a class's selection, the cache."""

from __future__ import annotations

import dataclasses
import io
import sqlite3
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decks.ids import note_guid
from decks.ledger import Ledger
from decks.package import build_package, package_filename
from quizzes.bank import Bank
from tests.webapp.helpers import SQLITE_ONLY, TEACHER_PASSWORD, log_in, make_class, signup, teacher_email
from webapp.downloads import files as deckfiles

TWO_MODULES = ["nerve-injury", "neck-safety"]
# The tests marked @NO_DATABASE read no row (anonymous pages, the deck files and their cache): one database is enough.
# Class packages, which read the class, run on both.
NO_DATABASE = SQLITE_ONLY


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The shared test config plus the real deck builder and a cache folder of the test's own."""
    return dict(app_config, DECK_BUILDER=build_package, DECK_CACHE_DIR=str(tmp_path / "decks"))


def _get(client: FlaskClient, path: str, **kwargs: Any) -> Any:
    """GET, read the body and close the response (a sent file stays open until closed, as a WSGI server does)."""
    with client.get(path, **kwargs) as response:
        response.get_data()
    return response


def _bank(app: Flask) -> Bank:
    return app.extensions["bank"]  # type: ignore[no-any-return]


def _notes(data: bytes, tmp_path: Path, *, with_cards: bool = True) -> set[str]:
    """The GUIDs of the question notes in an .apkg (its collection database opened with sqlite3).

    with_cards=False: the notes without cards instead, the retired questions' notices.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    inner = "collection.anki21" if "collection.anki21" in names else "collection.anki2"
    assert inner in names, names
    database = tmp_path / f"collection-{time.monotonic_ns()}.sqlite"
    database.write_bytes(archive.read(inner))
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT guid FROM notes WHERE EXISTS (SELECT 1 FROM cards WHERE cards.nid = notes.id)"
                                  f" = {1 if with_cards else 0}")
        return {guid for (guid,) in rows}


def _guids(bank: Bank, modules: Sequence[str]) -> set[str]:
    return {note_guid(q.id) for module in modules for q in bank.by_module(module)}


@NO_DATABASE
def test_file_names_are_the_ones_decks_writes(app: Flask) -> None:
    bank = _bank(app)
    assert deckfiles.deck_filename(bank.course.id) == package_filename(bank.course.id)
    for module in bank.modules:
        assert deckfiles.deck_filename(bank.course.id, module.id) == package_filename(bank.course.id, module.id)


@NO_DATABASE
def test_listing_shows_every_module_with_note_counts_without_building(app: Flask, client: FlaskClient) -> None:
    bank = _bank(app)
    html = client.get("/decks/").get_data(as_text=True)
    assert "How to update your deck" in html and "File → Import" in html
    assert f"{len(bank.questions)} questions in {len(bank.modules)} modules" in html
    assert f'href="/decks/{bank.course.id}.apkg"' in html
    for module in bank.modules:
        assert module.title in html
        assert f'href="/decks/{bank.course.id}--{module.id}.apkg"' in html
        assert f"{len(bank.by_module(module.id))} questions" in html
    assert not list(app.extensions["deck_folder"].parent.glob("**/*.apkg")), "the listing built a package"
    assert 'href="/decks/"' in client.get("/").get_data(as_text=True), "no nav link"


@NO_DATABASE
def test_course_package_is_a_valid_anki_file_with_every_note(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    bank = _bank(app)
    response = _get(client, f"/decks/{bank.course.id}.apkg")
    assert response.status_code == 200
    assert response.mimetype == "application/apkg"
    assert response.headers["Content-Disposition"] == f"attachment; filename={bank.course.id}.apkg"
    assert _notes(response.data, tmp_path) == _guids(bank, [m.id for m in bank.modules])
    assert _notes(response.data, tmp_path, with_cards=False) == {note_guid(item) for item in Ledger.load().retired()}
    cached = app.extensions["deck_folder"] / f"{bank.course.id}.apkg"
    assert cached.exists() and cached.parent.name.startswith(bank.course.release.isoformat())
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    for headers in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = _get(client, f"/decks/{bank.course.id}.apkg", headers=headers)
        assert again.status_code == 304 and not again.data


@NO_DATABASE
def test_module_package_holds_that_module_only(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    bank = _bank(app)
    module = bank.modules[1].id
    response = _get(client, f"/decks/{package_filename(bank.course.id, module)}")
    assert response.status_code == 200
    assert _notes(response.data, tmp_path) == _guids(bank, [module])


@NO_DATABASE
@pytest.mark.parametrize("path", [
    "/decks/nothing.apkg",
    "/decks/massage-safety",
    "/decks/../secret_key",
    "/decks/..%2Fsecret_key",
    "/decks/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/decks/..%5C..%5Csecret_key",
    "/decks/massage-safety.apkg%00.txt",
    "/decks/.massage-safety.apkg.lock",
    "/decks/class/abc.apkg",
])
def test_unknown_and_traversal_names_are_404(app: Flask, client: FlaskClient, path: str) -> None:
    _get(client, "/decks/massage-safety.apkg")  # the cache folder now holds a file and its lock
    response = _get(client, path)
    assert response.status_code == 404
    assert response.mimetype == "text/html"


@NO_DATABASE
def test_a_file_in_the_cache_that_is_not_in_the_catalogue_is_not_served(app: Flask, client: FlaskClient) -> None:
    folder: Path = app.extensions["deck_folder"]
    folder.mkdir(parents=True)
    (folder / "planted.apkg").write_bytes(b"not a deck")
    assert _get(client, "/decks/planted.apkg").status_code == 404


def test_class_package_holds_the_class_modules_only(app: Flask, student: FlaskClient, tmp_path: Path) -> None:
    bank = _bank(app)
    class_id, code = make_class(app, name="Évening cohort", modules=TWO_MODULES)
    assert student.post("/join", data={"join_code": code}).status_code == 302
    html = student.get("/decks/").get_data(as_text=True)
    assert "Évening cohort" in html and f'href="/decks/class/{class_id}.apkg"' in html
    expected = _guids(bank, TWO_MODULES)
    assert f"{len(expected)} questions from the modules your class studies" in html

    response = _get(student, f"/decks/class/{class_id}.apkg")
    assert response.status_code == 200 and response.mimetype == "application/apkg"
    assert f"filename={bank.course.id}--class-{class_id}-vening-cohort.apkg" in response.headers["Content-Disposition"]
    assert "private" in response.headers["Cache-Control"]
    assert _notes(response.data, tmp_path) == expected
    assert expected != _guids(bank, [m.id for m in bank.modules])


def test_class_package_for_the_instructor_and_whole_course_when_no_modules(app: Flask, client: FlaskClient,
                                                                           tmp_path: Path) -> None:
    bank = _bank(app)
    class_id, _ = make_class(app, modules=[])
    log_in(client, teacher_email(app, class_id), TEACHER_PASSWORD)
    assert "You teach this class" in client.get("/decks/").get_data(as_text=True)
    response = _get(client, f"/decks/class/{class_id}.apkg")
    assert response.status_code == 200
    assert _notes(response.data, tmp_path) == _guids(bank, [m.id for m in bank.modules])


def test_class_package_is_404_for_outsiders(app: Flask, client: FlaskClient) -> None:
    mine, code = make_class(app, modules=TWO_MODULES)
    theirs, _ = make_class(app, modules=TWO_MODULES)
    assert _get(client, f"/decks/class/{mine}.apkg").status_code == 404  # anonymous
    signup(client)
    client.post("/join", data={"join_code": code})
    assert _get(client, f"/decks/class/{mine}.apkg").status_code == 200
    assert _get(client, f"/decks/class/{theirs}.apkg").status_code == 404  # a student of another class
    assert _get(client, "/decks/class/999999.apkg").status_code == 404
    client.post("/logout")
    log_in(client, teacher_email(app, theirs), TEACHER_PASSWORD)
    assert _get(client, f"/decks/class/{mine}.apkg").status_code == 404  # another class's instructor


def test_without_a_builder_the_pages_say_so(app_config: dict[str, Any], make_app: Callable[..., Flask]) -> None:
    config = {k: v for k, v in app_config.items() if k != "DECK_BUILDER"}
    application = make_app(config)
    client = application.test_client()
    listing = client.get("/decks/")
    assert listing.status_code == 200
    assert "Anki decks are not available on this server" in listing.get_data(as_text=True)
    download = _get(client, "/decks/massage-safety.apkg")
    assert download.status_code == 404 and b"not available on this server" in download.data
    class_id, code = make_class(application, modules=TWO_MODULES)
    signup(client)
    client.post("/join", data={"join_code": code})
    assert _get(client, f"/decks/class/{class_id}.apkg").status_code == 404


@NO_DATABASE
def test_a_failing_builder_gives_a_friendly_page_and_caches_nothing(app: Flask, client: FlaskClient) -> None:
    def broken(bank: Bank, modules: Sequence[str] | None, out_path: Path) -> None:
        out_path.write_bytes(b"half a zip")
        raise RuntimeError("disk full")

    app.config["DECK_BUILDER"] = broken
    response = _get(client, "/decks/massage-safety.apkg")
    assert response.status_code == 503
    assert "cannot be made right now" in response.get_data(as_text=True)
    assert not list(app.extensions["deck_folder"].glob("*.apkg"))
    assert not list(app.extensions["deck_folder"].glob(".build-*"))


@NO_DATABASE
def test_concurrent_requests_build_once_and_all_get_the_whole_file(app: Flask, tmp_path: Path) -> None:
    calls: list[Sequence[str] | None] = []

    def slow(bank: Bank, modules: Sequence[str] | None, out_path: Path) -> object:
        calls.append(modules)
        time.sleep(0.2)  # wide window for a second worker to collide in
        return build_package(bank, modules, out_path)

    bank = _bank(app)
    folder = tmp_path / "cache"
    deck = deckfiles.catalogue(bank)[package_filename(bank.course.id)]
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(deckfiles.ensure_built(folder, deck, bank, slow)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [None]
    assert results == [folder / deck.cache_name] * 4
    assert _notes(results[0].read_bytes(), tmp_path) == _guids(bank, [m.id for m in bank.modules])
    assert sorted(p.name for p in folder.iterdir()) == [f".{deck.cache_name}.lock", deck.cache_name]


@NO_DATABASE
def test_new_content_gets_a_new_cache_folder(app: Flask, tmp_path: Path) -> None:
    bank = _bank(app)
    released = dataclasses.replace(bank, course=bank.course.model_copy(update={"release": bank.course.release.replace(year=2099)}))
    edited_question = dataclasses.replace(bank.questions[0], stem=bank.questions[0].stem + " (edited)")
    edited = dataclasses.replace(bank, questions=(edited_question, *bank.questions[1:]))
    folders = {deckfiles.cache_folder(tmp_path, b) for b in (bank, released, edited)}
    assert len(folders) == 3
    assert deckfiles.cache_folder(tmp_path, released).name.startswith("2099-")
    assert deckfiles.cache_folder(tmp_path, bank) == deckfiles.cache_folder(tmp_path, _bank(app))


@NO_DATABASE
def test_selection_equal_to_one_module_or_the_course_shares_its_file(app: Flask) -> None:
    bank = _bank(app)
    everything = [m.id for m in bank.modules]
    one = deckfiles.selection_deck(bank, [everything[0]], "A class")
    whole = deckfiles.selection_deck(bank, list(reversed(everything)), "A class")
    gone = deckfiles.selection_deck(bank, ["no-such-module"], "A class")
    assert one is not None and one.cache_name == package_filename(bank.course.id, everything[0])
    assert whole is not None and whole.cache_name == package_filename(bank.course.id) and whole.selection is None
    assert gone is None


@NO_DATABASE
def test_a_new_deck_build_gets_a_new_cache_folder(app: Flask, tmp_path: Path) -> None:
    bank = _bank(app)
    assert deckfiles.cache_folder(tmp_path, bank, "ledger-a") != deckfiles.cache_folder(tmp_path, bank, "ledger-b")
    assert deckfiles.cache_folder(tmp_path, bank, "ledger-a") == deckfiles.cache_folder(tmp_path, bank, "ledger-a")
