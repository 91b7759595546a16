"""Uploads that are refused with a clear message, and leave nothing behind."""

from __future__ import annotations

import io
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zstandard
from anki.collection import ExportAnkiPackageOptions
from anki.import_export_pb2 import PackageMetadata
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from course import Course
from tests.webapp.ankisync.anki_helpers import (
    course_bank,
    import_deck,
    new_collection,
    study,
    upload,
    wait_for_job,
    zip_bytes,
)
from tests.webapp.helpers import signup, user_id
from webapp import create_app
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, ItemState, Review, User

LATEST_META = PackageMetadata(version=PackageMetadata.VERSION_LATEST).SerializeToString()


@pytest.fixture
def learner(client: FlaskClient) -> FlaskClient:
    """A signed-in student."""
    assert signup(client).status_code == 302
    return client


def _refused(app: Flask, client: FlaskClient, data: bytes, name: str = "deck.apkg") -> str:
    page = wait_for_job(app, client, upload(client, data, name))
    assert "Not imported." in page, page
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(Review)) == 0
        assert session.scalar(select(func.count()).select_from(ItemState)) == 0
        assert session.scalar(select(AnkiImport.status).order_by(AnkiImport.id.desc()).limit(1)) == "failed"
    return page


def test_a_file_that_is_not_a_package(app: Flask, learner: FlaskClient) -> None:
    assert "This is not an Anki package" in _refused(app, learner, b"%PDF-1.7 not a zip at all", "notes.pdf")


def test_a_zip_without_a_collection(app: Flask, learner: FlaskClient) -> None:
    assert "This is not an Anki package" in _refused(app, learner, zip_bytes({"photo.jpg": b"\xff\xd8\xff"}))


def test_a_truncated_package(app: Flask, learner: FlaskClient, course: Course, tmp_path: Path) -> None:
    col = new_collection(tmp_path / "c")
    import_deck(col, course_bank(course), tmp_path)
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(tmp_path / "x.apkg"), options=options, limit=None)
    col.close()
    data = (tmp_path / "x.apkg").read_bytes()
    page = _refused(app, learner, data[: len(data) // 2])
    assert "not an Anki package" in page or "damaged" in page


def test_a_collection_entry_that_is_not_sqlite(app: Flask, learner: FlaskClient) -> None:
    data = zip_bytes({"collection.anki21": b"just text, not a database" * 10})
    assert "holds no Anki collection" in _refused(app, learner, data)


def test_a_package_with_none_of_our_notes(app: Flask, learner: FlaskClient, tmp_path: Path) -> None:
    col = new_collection(tmp_path / "foreign")
    note = col.new_note(col.models.by_name("Basic"))  # type: ignore[arg-type]
    note["Front"], note["Back"] = "Capital of France?", "Paris"
    col.add_note(note, col.decks.id_for_name("Default"))  # type: ignore[arg-type]
    study(col, 2)
    options = ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False)
    col.export_anki_package(out_path=str(tmp_path / "foreign.apkg"), options=options, limit=None)
    col.close()
    page = _refused(app, learner, (tmp_path / "foreign.apkg").read_bytes())
    assert "holds none of this course&#39;s notes" in page


def test_a_collection_with_triggers_is_not_opened(app: Flask, learner: FlaskClient, tmp_path: Path) -> None:
    col = new_collection(tmp_path / "c")
    col.close()
    connection = sqlite3.connect(tmp_path / "c" / "collection.anki2")
    connection.execute("CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM cards; END")
    connection.commit()
    connection.close()
    data = zip_bytes({"collection.anki21": (tmp_path / "c" / "collection.anki2").read_bytes()})
    assert "not one Anki made" in _refused(app, learner, data)


@pytest.fixture
def small_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app whose bounds are small enough to test: 200 kB uploads, 1 MB unpacked."""
    application = create_app(dict(app_config, ANKI_MAX_UPLOAD_BYTES=200_000, ANKI_MAX_UNPACKED_BYTES=1_000_000))
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture
def small_learner(small_app: Flask) -> FlaskClient:
    """A signed-in student of `small_app`."""
    client = small_app.test_client()
    assert signup(client).status_code == 302
    return client


def test_an_oversized_upload_is_refused_before_it_is_read(small_app: Flask, small_learner: FlaskClient) -> None:
    response = upload(small_learner, b"\0" * 300_000)
    text = response.get_data(as_text=True)
    assert response.request.path == "/progress"
    assert "The file is larger than 195 kB, so it was not uploaded." in text
    with small_app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AnkiImport)) == 0


def test_the_default_upload_limit_is_100_mb(app: Flask) -> None:
    assert app.config["ANKI_MAX_UPLOAD_BYTES"] == 100 * 1024 * 1024


def test_a_zip_bomb_is_refused_by_its_declared_size(small_app: Flask, small_learner: FlaskClient) -> None:
    bomb = zip_bytes({"collection.anki21": b"\0" * 5_000_000})  # ~5 kB on the wire
    assert len(bomb) < 200_000
    assert "unpacks to more than" in _refused(small_app, small_learner, bomb)


def test_a_zstd_bomb_is_stopped_while_it_unpacks(small_app: Flask, small_learner: FlaskClient) -> None:
    # The zip declares only the compressed stream's size; the bound is counted on what zstd produces.
    stream = zstandard.ZstdCompressor(level=19, write_content_size=False).compress(b"\0" * 20_000_000)
    bomb = zip_bytes({"meta": LATEST_META, "collection.anki21b": stream})
    assert len(bomb) < 200_000
    assert "unpacks to more than" in _refused(small_app, small_learner, bomb)


def test_a_broken_zstd_stream(app: Flask, learner: FlaskClient) -> None:
    data = zip_bytes({"meta": LATEST_META, "collection.anki21b": b"\x28\xb5\x2f\xfd garbage"})
    assert "damaged" in _refused(app, learner, data)


def test_no_file_chosen(app: Flask, learner: FlaskClient) -> None:
    response = learner.post("/progress/anki", data={}, follow_redirects=True)
    assert "Choose the file you exported from Anki." in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(app: Flask, learner: FlaskClient, app_config: dict[str, Any],
                                       make_app: Callable[..., Flask]) -> None:
    application = make_app(dict(app_config, WTF_CSRF_ENABLED=True))
    client = application.test_client()
    with app.app_context():
        token = get_session().get(User, user_id(app, "ada@example.com")).get_id()  # type: ignore[union-attr]
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = token, True
    assert client.get("/progress").status_code == 200  # signed in
    response = client.post("/progress/anki", data={"package": (io.BytesIO(b"x"), "a.apkg")},
                           content_type="multipart/form-data", follow_redirects=True)
    assert "This form has expired or was already sent." in response.get_data(as_text=True)
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(AnkiImport)) == 0


def test_one_import_at_a_time(app: Flask, learner: FlaskClient) -> None:
    with app.app_context():
        session = get_session()
        session.add(AnkiImport(user_id=user_id(app, "ada@example.com"), filename="x.apkg", status="running", stage="", percent=5, message=""))
        session.commit()
    response = upload(learner, zip_bytes({"collection.anki21": b""}))
    assert "still running" in response.get_data(as_text=True)
