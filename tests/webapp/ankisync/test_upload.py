"""Uploading Anki exports on /progress: real collections answered with Anki's scheduler, imported once each."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from course import Course
from quizzes.anki_identity import note_guid
from tests.webapp.ankisync.anki_helpers import (
    course_bank,
    export_apkg,
    export_colpkg,
    import_deck,
    new_collection,
    revlog,
    study,
    upload,
    wait_for_job,
)
from tests.webapp.helpers import make_class, signup, user_id
from webapp import create_app
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, ItemState, Review, SchoolClass, User


@dataclass(frozen=True)
class Exports:
    """One learner's Anki collection exported twice: an .apkg, then later a .colpkg with more answers."""

    first: bytes
    later: bytes
    first_log: list[tuple[Any, ...]]
    later_log: list[tuple[Any, ...]]
    item_of: dict[str, str]  # note guid -> item id


@pytest.fixture(scope="module")
def exports(course: Course, tmp_path_factory: pytest.TempPathFactory) -> Exports:
    """Our deck imported into a fresh collection, answered, exported, answered more, backed up."""
    folder = tmp_path_factory.mktemp("anki")
    bank = course_bank(course)
    col = new_collection(folder / "collection")
    import_deck(col, bank, folder)
    assert study(col, 10) == 10
    first_log = revlog(col)
    first = export_apkg(col, folder / "first.apkg").read_bytes()
    assert study(col, 6) == 6
    later_log = revlog(col)
    later = export_colpkg(col, folder / "later.colpkg").read_bytes()
    return Exports(first, later, first_log, later_log, {note_guid(q.id): q.id for q in bank})


@pytest.fixture
def learner(client: FlaskClient) -> FlaskClient:
    """A signed-in student."""
    assert signup(client).status_code == 302
    return client


def _anki_reviews(app: Flask) -> list[Review]:
    with app.app_context():
        return list(get_session().scalars(
            select(Review).where(Review.source == "anki").order_by(Review.anki_revlog_id)))


def test_uploaded_apkg_adds_every_anki_answer_once(app: Flask, learner: FlaskClient, exports: Exports) -> None:
    page = wait_for_job(app, learner, upload(learner, exports.first))
    assert "Imported 10 answers" in page

    rows = _anki_reviews(app)
    assert len(rows) == len(exports.first_log) == 10
    for row, (revlog_id, guid, button, interval, taken) in zip(rows, exports.first_log):
        assert row.anki_revlog_id == revlog_id
        assert row.item_id == exports.item_of[guid]
        assert row.reviewed_at == dt.datetime.fromtimestamp(revlog_id / 1000, dt.timezone.utc)
        assert row.rating == button
        assert row.result == ("incorrect" if button == 1 else "correct")
        assert row.response_ms == taken
        assert row.response["anki_interval"] == interval
        assert row.user_id == user_id(app, "ada@example.com")
        assert learner.get(f"/study/answers/{row.id}").status_code in {200, 302}  # no answer page breaks on them


def test_item_states_replay_every_answer_so_anki_items_are_not_new(app: Flask, learner: FlaskClient,
                                                                   exports: Exports) -> None:
    wait_for_job(app, learner, upload(learner, exports.first))
    with app.app_context():
        session = get_session()
        states = {s.item_id: s for s in session.scalars(select(ItemState))}
        per_item = dict(session.execute(select(Review.item_id, func.count()).group_by(Review.item_id)).all())
        assert set(states) == set(per_item) == {exports.item_of[guid] for _, guid, *_ in exports.first_log}
        for item_id, state in states.items():
            assert state.reps == per_item[item_id]
            history = list(session.scalars(
                select(Review).where(Review.item_id == item_id).order_by(Review.reviewed_at)))
            assert [r.attempt for r in history] == list(range(1, len(history) + 1))
            assert history[0].state_before == 0 and history[0].card_before is None
            assert state.last_review == history[-1].reviewed_at
    # The browser now counts them as seen: the progress page says so.
    assert f"<p class=\"stat-value\">{len(states)}</p><p class=\"stat-label\">questions seen" in (
        learner.get("/progress").get_data(as_text=True))


def test_same_file_twice_and_a_later_backup_add_each_answer_once(app: Flask, learner: FlaskClient,
                                                                 exports: Exports) -> None:
    wait_for_job(app, learner, upload(learner, exports.first))
    again = wait_for_job(app, learner, upload(learner, exports.first))
    assert "Nothing new to import" in again and "every answer in this file was imported" in again.lower()
    assert len(_anki_reviews(app)) == 10

    later = wait_for_job(app, learner, upload(learner, exports.later, "backup.colpkg"))
    assert "Imported 6 answers" in later
    rows = _anki_reviews(app)
    assert [r.anki_revlog_id for r in rows] == [entry[0] for entry in exports.later_log]
    with app.app_context():
        job = get_session().scalar(select(AnkiImport).order_by(AnkiImport.id.desc()).limit(1))
        assert job is not None and (job.reviews_added, job.reviews_known) == (6, 10)


def test_a_second_account_uploading_the_same_file_is_refused(app: Flask, client: FlaskClient,
                                                             exports: Exports) -> None:
    signup(client)
    wait_for_job(app, client, upload(client, exports.first))
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")
    page = wait_for_job(app, client, upload(client, exports.first))
    assert "Nothing new to import" in page and "10 answers refused" in page
    assert "10 already imported for another account" in page
    assert len(_anki_reviews(app)) == 10


def test_progress_page_shows_the_panel_and_what_was_synced(app: Flask, learner: FlaskClient,
                                                           exports: Exports) -> None:
    before = learner.get("/progress").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in before and 'accept=".apkg,.colpkg"' in before
    wait_for_job(app, learner, upload(learner, exports.first))
    after = learner.get("/progress").get_data(as_text=True)
    assert "Last synced" in after and "10 answers from Anki so far" in after


@pytest.fixture
def slow_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app that hands every upload to the background at once."""
    application = create_app(dict(app_config, ANKI_FOREGROUND_SECONDS=0))
    yield application
    application.extensions["db_engine"].dispose()


def test_background_import_shows_progress_then_the_result(slow_app: Flask, exports: Exports) -> None:
    client = slow_app.test_client()
    signup(client)
    response = client.post("/progress/anki", data={"package": (io.BytesIO(exports.first), "a.apkg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    job_url = response.headers["Location"]
    status = client.get(job_url + "/status").get_json()
    assert status["status"] in {"queued", "running", "done"} and 0 <= status["percent"] <= 100
    page = client.get(job_url)
    assert page.status_code == 200
    assert "Imported 10 answers" in wait_for_job(slow_app, client, page)
    assert client.get(job_url + "/status").get_json() == {"status": "done", "stage": "Done", "percent": 100}


def test_a_job_is_only_its_owners(app: Flask, client: FlaskClient, exports: Exports) -> None:
    signup(client)
    response = client.post("/progress/anki", data={"package": (io.BytesIO(exports.first), "a.apkg")},
                           content_type="multipart/form-data")
    job_url = response.headers["Location"]
    wait_for_job(app, client, client.get(job_url))
    client.post("/logout")
    assert client.get(job_url).status_code == 302  # to log-in
    signup(client, email="grace@example.com", name="Grace")
    assert client.get(job_url).status_code == 404
    assert client.get(job_url + "/status").status_code == 404


def test_instructor_sees_last_sync_and_anki_answers_marked(app: Flask, client: FlaskClient, exports: Exports) -> None:
    class_id, code = make_class(app)
    signup(client)
    client.post("/join", data={"join_code": code})
    wait_for_job(app, client, upload(client, exports.first))
    client.post("/logout")
    with app.app_context():
        session = get_session()
        teacher = session.get(User, session.get(SchoolClass, class_id).instructor_id)  # type: ignore[union-attr]
        teacher.password_hash = hash_password("teacher password 1")  # type: ignore[union-attr]
        email = teacher.email  # type: ignore[union-attr]
        session.commit()
    client.post("/login", data={"email": email, "password": "teacher password 1"})
    page = client.get(f"/instructor/classes/{class_id}/students/{user_id(app, 'ada@example.com')}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[:500]
    assert "Last synced from Anki" in text and "10 answers from Anki" in text
    assert text.count('>Anki · self-reported</span>') >= 10
    overview = client.get(f"/instructor/classes/{class_id}").get_data(as_text=True)
    assert "Anki synced" in overview


def test_upload_removes_its_temporary_files(app: Flask, learner: FlaskClient, exports: Exports,
                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    wait_for_job(app, learner, upload(learner, exports.first))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("anki-upload-")]
    shutil.rmtree(tmp_path, ignore_errors=True)
