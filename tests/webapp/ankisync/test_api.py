"""The Anki add-on's side of the server: personal tokens on /account and the token API under /api/v1/anki/."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from anki_addon.build import addon_bytes
from decks.feed import note_feed
from decks.package import build_package
from quizzes.anki_identity import note_guid
from tests.webapp.helpers import PASSWORD, log_in, make_class, signup, teacher_email
from webapp.accounts.profile.tokens import token_hash
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, Review, SyncToken

TOKEN_SHOWN = re.compile(r'id="new-token" type="text" value="(msc_[^"]+)"')


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The test app with the course's note feed and the add-on handed in, as `commands` does."""
    return dict(app_config, ANKI_NOTE_FEED=note_feed, ADDON_BUILDER=addon_bytes, DECK_BUILDER=build_package)


def make_token(client: FlaskClient, label: str = "Anki on my laptop") -> str:
    """Make a token on /account as the signed-in learner; the token the page shows once."""
    page = client.post("/account/tokens", data={"label": label})
    assert page.status_code == 200, page.data
    assert page.headers["Cache-Control"] == "no-store"
    found = TOKEN_SHOWN.search(page.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def bearer(token: str) -> dict[str, str]:
    """The header the add-on sends."""
    return {"Authorization": f"Bearer {token}"}


def now_ms() -> int:
    """Anki's revlog id for an answer given now."""
    return int(time.time() * 1000)


def review(app: Flask, revlog_id: int, index: int = 0, ease: int = 3, kind: int = 1) -> dict[str, Any]:
    """A revlog row of the bank's `index`-th question, as the add-on sends it."""
    item_id = list(app.extensions["bank"])[index].id
    return {"id": revlog_id, "guid": note_guid(item_id), "ord": 0, "ease": ease, "ivl": 3, "time": 4000,
            "type": kind, "factor": 2500}


def test_a_token_is_shown_once_stored_hashed_and_listed_with_its_use(app: Flask, client: FlaskClient) -> None:
    signup(client)
    token = make_token(client, "Anki on <b>my</b> laptop")
    page = client.get("/account/").get_data(as_text=True)
    assert token not in page  # shown once
    assert "Anki on &lt;b&gt;my&lt;/b&gt; laptop" in page and "not used yet" in page
    with app.app_context():
        row = get_session().scalar(select(SyncToken))
        assert row is not None and row.token_hash == token_hash(token) and token not in row.token_hash

    assert client.get("/api/v1/anki/status", headers=bearer(token)).json["learner"] == "Ada"
    assert "last used" in client.get("/account/").get_data(as_text=True)


def test_a_revoked_token_stops_at_once_and_only_its_owner_can_revoke_it(app: Flask, client: FlaskClient) -> None:
    signup(client)
    token = make_token(client)
    with app.app_context():
        token_id = get_session().scalar(select(SyncToken.id))
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")
    client.post(f"/account/tokens/{token_id}/revoke")  # not hers: nothing happens
    assert client.get("/api/v1/anki/status", headers=bearer(token)).status_code == 200

    client.post("/logout")
    log_in(client, "ada@example.com", PASSWORD)
    assert "Token revoked" in client.post(f"/account/tokens/{token_id}/revoke", follow_redirects=True).get_data(
        as_text=True)
    refused = client.get("/api/v1/anki/status", headers=bearer(token))
    assert refused.status_code == 401 and "revoked" in refused.json["error"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_forms_need_their_csrf_token(make_app: Callable[..., Flask], app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    page = client.get("/signup").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert csrf is not None
    client.post("/signup", data={"email": "ada@example.com", "display_name": "Ada", "password": PASSWORD,
                                 "csrf_token": csrf.group(1)})
    client.post("/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": csrf.group(1)})
    assert client.post("/account/tokens", data={"label": "laptop"}).status_code == 400
    with app.app_context():
        assert get_session().scalar(select(SyncToken)) is None


def test_instructors_and_bad_labels_get_a_message_not_a_token(app: Flask, client: FlaskClient) -> None:
    class_id, _ = make_class(app)
    log_in(client, teacher_email(app, class_id), "x" * 12)
    assert client.get("/account/").status_code == 200
    page = client.post("/account/tokens", data={"label": "laptop"})
    assert page.status_code == 403 and "instructor accounts have none to sync" in page.get_data(as_text=True)
    client.post("/logout")
    signup(client)
    page = client.post("/account/tokens", data={"label": "x" * 61})
    assert page.status_code == 400 and "under 60 characters" in page.get_data(as_text=True)
    page = client.post("/account/tokens", data={"label": "bad\x00label"})
    assert page.status_code == 400


def test_requests_without_a_valid_token_are_refused_as_json(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer msc_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/anki/notes", headers=headers)
        assert response.status_code == 401 and response.is_json
    assert client.post("/api/v1/anki/reviews", json={"reviews": []}).status_code == 401
    assert client.get("/api/v1/anki/nothing-here").status_code == 404


def test_notes_since_a_release_and_by_guid(app: Flask, client: FlaskClient) -> None:
    signup(client)
    token = make_token(client)
    everything = client.get("/api/v1/anki/notes?since=0", headers=bearer(token)).json
    bank = app.extensions["bank"]
    assert len(everything["current"]) == len(everything["notes"]) == len(list(bank))
    note = everything["notes"][0]
    assert set(note) >= {"guid", "note_type", "fields", "tags", "digest", "mod", "deck"}
    assert "Personal notes" not in note["fields"] and "Personal notes" in note["note_type"]["fields"]
    assert all(tag.startswith("MSC::") for tag in note["tags"])
    release = everything["release"]
    later = client.get(f"/api/v1/anki/notes?since={release}", headers=bearer(token)).json
    assert later["notes"] == [] and later["current"] == everything["current"]
    picked = client.post("/api/v1/anki/notes", headers=bearer(token), json={"guids": [note["guid"], "unknown"]})
    assert [n["guid"] for n in picked.json["notes"]] == [note["guid"]]
    assert client.get("/api/v1/anki/notes?since=yesterday", headers=bearer(token)).status_code == 400
    assert client.post("/api/v1/anki/notes", headers=bearer(token), json={"guids": "x"}).status_code == 400


def test_without_a_note_feed_the_notes_are_unavailable(make_app: Callable[..., Flask],
                                                       app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, ANKI_NOTE_FEED=None))
    client = app.test_client()
    signup(client)
    token = make_token(client)
    response = client.get("/api/v1/anki/notes", headers=bearer(token))
    assert response.status_code == 503 and "does not offer" in response.json["error"]


def test_pushed_reviews_are_imported_once_for_the_tokens_learner_only(app: Flask, client: FlaskClient) -> None:
    signup(client)
    ada = make_token(client)
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")
    grace = make_token(client)
    start = now_ms() - 120_000  # answers 10 s apart, each 4 s long: a person's pace, which the guards accept
    rows = [review(app, start + 10_000 * n, index=n % 3, ease=1 + n % 4) for n in range(6)]
    rows.append({**review(app, start + 90_000), "guid": "not-ours"})
    rows.append(review(app, start + 95_000, kind=4))  # a manual reschedule: no answer
    first = client.post("/api/v1/anki/reviews", headers=bearer(ada), json={"reviews": rows})
    assert first.status_code == 200, first.json
    assert (first.json["added"], first.json["known"], first.json["ignored"], first.json["refused"]) == (6, 0, 2, [])
    again = client.post("/api/v1/anki/reviews", headers=bearer(ada), json={"reviews": rows})
    assert (again.json["added"], again.json["known"]) == (0, 6)
    with app.app_context():
        session = get_session()
        owners = set(session.scalars(select(Review.user_id).where(Review.source == "anki")))
        assert len(owners) == 1
        jobs = list(session.scalars(select(AnkiImport).order_by(AnkiImport.id)))
        assert [(job.filename, job.status, job.reviews_added) for job in jobs] == [
            ("Anki add-on sync", "done", 6), ("Anki add-on sync", "done", 0)]
    status = client.get("/api/v1/anki/status", headers=bearer(grace)).json
    assert (status["learner"], status["anki_reviews"]) == ("Grace", 0)  # Ada's answers are not Grace's
    assert client.get("/api/v1/anki/status", headers=bearer(ada)).json["anki_reviews"] == 6


def test_a_review_dated_in_the_future_is_refused_and_reported(app: Flask, client: FlaskClient) -> None:
    signup(client)
    token = make_token(client)
    forged = now_ms() + 365 * 86_400_000
    rows = [review(app, now_ms() - 5000), review(app, forged, index=1, ease=4)]
    reply = client.post("/api/v1/anki/reviews", headers=bearer(token), json={"reviews": rows}).json
    assert reply["added"] == 1 and reply["refused"] == [{"id": forged, "reason": "dated in the future"}]
    with app.app_context():
        assert list(get_session().scalars(select(Review.anki_revlog_id))) == [rows[0]["id"]]
        job_id = get_session().scalar(select(AnkiImport.id))
    page = client.get(f"/progress/anki/{job_id}").get_data(as_text=True)
    assert "Sent by the course's Anki add-on" in page and "Imported 1 answer" in page
    assert "1 answer dated in the future was refused" in page


@pytest.mark.parametrize("body, message", [
    ({"reviews": "all"}, "a list of review objects"),
    ({"reviews": [{"id": "1", "guid": "x"}]}, "whole number 'id'"),
    ({"reviews": [{"id": 5, "guid": "x", "ease": 3, "type": 1, "ivl": 1, "time": 1}]}, "revlog 'id'"),
    ([], "JSON object"),
])
def test_malformed_pushes_get_a_clear_message(client: FlaskClient, body: Any, message: str) -> None:
    signup(client)
    token = make_token(client)
    response = client.post("/api/v1/anki/reviews", headers=bearer(token), json=body)
    assert response.status_code == 400 and message in response.json["error"]


def test_too_many_reviews_in_one_push_are_refused(make_app: Callable[..., Flask], app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, ANKI_API_MAX_REVIEWS=2))
    client = app.test_client()
    signup(client)
    token = make_token(client)
    rows = [review(app, now_ms() - 10_000 + n) for n in range(3)]
    response = client.post("/api/v1/anki/reviews", headers=bearer(token), json={"reviews": rows})
    assert response.status_code == 400 and "at most 2 reviews" in response.json["error"]


def test_the_rate_limit_is_per_token_not_per_address(make_app: Callable[..., Flask],
                                                     app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                        ANKI_API_LIMIT="3 per minute"))
    client = app.test_client()
    signup(client)
    first, second = make_token(client, "laptop"), make_token(client, "desktop")
    for _ in range(3):
        assert client.get("/api/v1/anki/status", headers=bearer(first)).status_code == 200
    limited = client.get("/api/v1/anki/status", headers=bearer(first))
    assert limited.status_code == 429 and limited.is_json
    wait = re.search(r"Sync again in (\d+) seconds?", limited.json["error"])
    assert wait is not None and 1 <= int(wait.group(1)) <= 61  # the window's end, to the second
    assert client.get("/api/v1/anki/status", headers=bearer(second)).status_code == 200  # same address


def test_deleting_an_anonymised_account_ends_its_tokens(make_app: Callable[..., Flask],
                                                        app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, ACCOUNT_DELETION="anonymise"))
    client = app.test_client()
    signup(client)
    token = make_token(client)
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert client.get("/api/v1/anki/status", headers=bearer(token)).status_code == 401
    with app.app_context():
        assert get_session().scalar(select(SyncToken)) is None


def test_the_decks_page_offers_the_add_on_with_install_steps(client: FlaskClient) -> None:
    page = client.get("/decks/").get_data(as_text=True)
    assert "Download the add-on" in page and "Install from file" in page and "MSC::retired" in page
    response = client.get("/decks/massage-safety-sync.ankiaddon")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert {"__init__.py", "sync.py", "client.py", "manifest.json", "config.json"} <= set(archive.namelist())
        assert json.loads(archive.read("manifest.json"))["package"] == "massage_safety_course_sync"


def test_without_the_add_on_builder_the_decks_page_does_not_offer_it(make_app: Callable[..., Flask],
                                                                     app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, ADDON_BUILDER=None, DECK_BUILDER=lambda *args: None))
    client = app.test_client()
    assert "Download the add-on" not in client.get("/decks/").get_data(as_text=True)
    assert client.get("/decks/massage-safety-sync.ankiaddon").status_code == 404


def test_a_full_chunk_of_reviews_fits_and_an_oversized_body_is_refused_as_json(app: Flask,
                                                                               client: FlaskClient) -> None:
    signup(client)
    token = make_token(client)
    start = now_ms() - 3 * 86_400_000
    rows = [review(app, start + 60_000 * n, index=n % 40, ease=1 + n % 4) for n in range(1_000)]
    assert len(json.dumps({"reviews": rows})) > app.config["MAX_CONTENT_LENGTH"]  # the add-on's chunk
    reply = client.post("/api/v1/anki/reviews", headers=bearer(token), json={"reviews": rows})
    assert reply.status_code == 200 and reply.json["added"] == 1_000
    huge = client.post("/api/v1/anki/reviews", headers=bearer(token), json={"reviews": rows * 20})
    assert huge.status_code == 413 and huge.is_json


def test_answers_over_the_days_allowance_wait_and_the_reply_says_where_to_resume(
        make_app: Callable[..., Flask], app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, ANKI_MAX_ANSWERS_PER_DAY=4))
    client = app.test_client()
    signup(client)
    token = make_token(client)
    start = now_ms() - 600_000
    rows = [review(app, start + 10_000 * n, index=n) for n in range(6)]
    reply = client.post("/api/v1/anki/reviews", headers=bearer(token), json={"reviews": rows}).json
    assert (reply["added"], reply["held_back"], reply["resend_from"]) == (4, 2, rows[4]["id"])


def test_making_tokens_is_limited_per_learner_not_per_address(make_app: Callable[..., Flask],
                                                              app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                        SYNC_TOKENS_PER_USER=50))
    client = app.test_client()
    signup(client)
    for number in range(10):
        make_token(client, f"device {number}")
    assert client.post("/account/tokens", data={"label": "one too many"}).status_code == 429
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")  # the same address, another learner
    make_token(client)


def test_a_learner_holds_a_bounded_number_of_tokens(make_app: Callable[..., Flask],
                                                     app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, SYNC_TOKENS_PER_USER=2))
    client = app.test_client()
    signup(client)
    make_token(client, "one")
    make_token(client, "two")
    page = client.post("/account/tokens", data={"label": "three"})
    assert page.status_code == 400 and "already have 2 tokens" in page.get_data(as_text=True)
