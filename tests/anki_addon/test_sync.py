"""The add-on's sync with the real `anki` library against a live course server.

A learner's collection holds our deck (built by `decks`), with their own tag,
mark, flag and Personal note on a note the author then corrects; the deck also
holds a question the course has since withdrawn, and lacks one it has added.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection, ImportAnkiPackageRequest
from sqlalchemy import select

from anki_addon.client import ApiClient, SyncError
from anki_addon.sync import RETIRED_TAG, STATE_KEY, sync
from course import Course
from decks.ids import epoch_seconds, module_deck_name
from decks.ledger import Ledger
from decks.package import bank_digests, build_package
from quizzes.anki_identity import note_guid
from quizzes.bank import Bank, build_bank
from tests.anki_addon.conftest import learner_token
from tests.webapp.ankisync.anki_helpers import new_collection, study
from webapp.platform.db import get_session
from webapp.platform.models import Review

CORRECTION = "Corrected by the author: stop, note the pulse, and refer."
MNEMONIC = "My own words: <b>pulse = stop</b>"


@dataclasses.dataclass(frozen=True)
class Scene:
    """The author's edited course, and the ids the test follows."""

    edited: Course
    corrected: str  # item id whose explanation the author corrected
    added: str  # item id in the course but not yet in the learner's deck
    withdrawn: str  # item id in the learner's deck, no longer in the course


@pytest.fixture(scope="module")
def scene(course: Course) -> Scene:
    """The course with one authored multiple-choice question's explanation corrected."""
    corrected = next(q for q in course.questions if q.type == "mcq")
    bank = list(build_bank(course))
    edited = course.model_copy(update={"questions": [
        q.model_copy(update={"explanation": CORRECTION}) if q.id == corrected.id else q for q in course.questions]})
    return Scene(edited, corrected.id, added=bank[-1].id, withdrawn="withdrawn-old-question")


def learners_collection(course: Course, scene: Scene, folder: Path) -> Collection:
    """A collection with the deck as released before the edit: without `added`, with `withdrawn`."""
    questions = [q for q in build_bank(course) if q.id != scene.added]
    questions.append(dataclasses.replace(questions[0], id=scene.withdrawn))
    released = Bank(course=course, questions=tuple(questions))
    # This release is the test's own, so its ledger is too: the committed one does not know `withdrawn`, and would
    # send `added` as a retired notice (it was never released here).
    ledger = Ledger().updated(bank_digests(released), now=epoch_seconds(course.release))
    package = build_package(released, None, folder / "course.apkg", ledger=ledger)
    col = new_collection(folder / "collection")
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package.path),
                                                     options=col._backend.get_import_anki_package_presets()))
    deck_id = col.decks.id_for_name("Massage Safety")
    assert deck_id is not None
    col.decks.set_current(deck_id)
    return col


def note_of(col: Collection, item_id: str) -> Any:
    """The collection's note of `item_id`."""
    assert col.db is not None
    note_id = col.db.scalar("SELECT id FROM notes WHERE guid = ?", note_guid(item_id))
    assert note_id is not None, item_id
    return col.get_note(note_id)


def note_times(col: Collection) -> list[tuple[int, int]]:
    """(note id, modification time) of every note."""
    assert col.db is not None
    return [tuple(row) for row in col.db.all("SELECT id, mod FROM notes ORDER BY id")]


def anki_review_ids(app: Any, user_id: int) -> list[int]:
    """The Anki revlog ids the server holds for the learner."""
    with app.app_context():
        return list(get_session().scalars(select(Review.anki_revlog_id).where(
            Review.user_id == user_id, Review.source == "anki").order_by(Review.anki_revlog_id)))


def test_the_authors_edit_arrives_the_learners_own_stays_and_answers_arrive_once(
        course: Course, scene: Scene, course_server: Callable[..., Any], tmp_path: Path) -> None:
    col = learners_collection(course, scene, tmp_path)
    # The learner makes the note their own after the release: tag, mark, flag, Personal notes.
    note = note_of(col, scene.corrected)
    note.tags += ["my-own-tag", "marked"]
    note["Personal notes"] = MNEMONIC
    col.update_note(note)
    card_ids = [card.id for card in note.cards()]
    col.set_user_flag_for_cards(1, card_ids)
    answered = study(col, 8)
    assert col.db is not None
    real = [int(rid) for rid in col.db.list("SELECT id FROM revlog ORDER BY id")]
    forged = int(time.time() * 1000) + 400 * 86_400_000  # an Easy "next year"
    col.db.execute("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                   " VALUES (?, ?, -1, 4, 300, 100, 2500, 6000, 1)", forged, card_ids[0])

    with course_server(scene.edited) as (app, base):
        user_id, token = learner_token(app)
        api = ApiClient(base, token)
        report = sync(col, api)
        assert (report.updated, report.added, report.retired, report.reviews_sent) == (1, 1, 1, answered)
        assert report.refused == [(forged, "dated in the future")]
        assert report.summary().startswith(f"1 note updated, 1 new note added, 1 retired, {answered} reviews sent")
        assert "1 review refused (dated in the future)" in report.summary()

        note = note_of(col, scene.corrected)
        assert CORRECTION in note["Explanation"]
        assert note["Personal notes"] == MNEMONIC
        assert {"my-own-tag", "marked"} <= set(note.tags) and RETIRED_TAG not in note.tags
        assert all(col.get_card(card_id).user_flag() == 1 for card_id in card_ids)
        added = note_of(col, scene.added)
        module = next(m for m in course.modules if m.id == build_bank(course).get(scene.added).module)  # type: ignore[union-attr]
        assert col.decks.name(added.cards()[0].did) == module_deck_name(module.title)
        assert RETIRED_TAG in note_of(col, scene.withdrawn).tags
        assert anki_review_ids(app, user_id) == real  # once each, the forged one refused

        before = note_times(col)
        again = sync(col, api)
        assert again.summary() == "0 notes updated, 0 retired, 0 reviews sent"
        assert note_times(col) == before and anki_review_ids(app, user_id) == real

        more = study(col, 3)
        later = sync(col, api)
        assert (later.updated, later.reviews_sent, later.refused) == (0, more, [])
        assert len(anki_review_ids(app, user_id)) == answered + more
        assert col.get_config(STATE_KEY)["refused"] == [forged]


def test_a_note_the_learner_edited_is_corrected_whatever_the_times_say(
        course: Course, scene: Scene, course_server: Callable[..., Any], tmp_path: Path) -> None:
    """A learner who already synced this release and then changes a course field gets the course's text back."""
    col = learners_collection(course, scene, tmp_path)
    with course_server(scene.edited) as (app, base):
        api = ApiClient(base, learner_token(app)[1])
        sync(col, api)
        note = note_of(col, scene.corrected)
        note["Explanation"] = "the learner overwrote the course's text"
        note.tags = [tag for tag in note.tags if not tag.startswith("MSC::module")] + ["MSC::my-guess", "mine"]
        col.update_note(note)
        report = sync(col, api)  # nothing is newer on the server: only the digests differ
        assert report.updated == 1
        note = note_of(col, scene.corrected)
        assert CORRECTION in note["Explanation"] and "mine" in note.tags and "MSC::my-guess" not in note.tags
        assert any(tag.startswith("MSC::module::") for tag in note.tags)


def test_a_revoked_token_or_a_wrong_address_stops_the_sync_with_a_message(
        course: Course, scene: Scene, course_server: Callable[..., Any], tmp_path: Path) -> None:
    col = new_collection(tmp_path / "collection")
    with course_server(scene.edited) as (app, base):
        with pytest.raises(SyncError, match="not valid: it was revoked or mistyped"):
            sync(col, ApiClient(base, "msc_forged"))
    with pytest.raises(SyncError, match="Could not reach the course"):
        sync(col, ApiClient(base, "msc_forged", timeout=5))
    with pytest.raises(SyncError, match="Set the course's address"):
        ApiClient("course.example.org", "msc_x")
    with pytest.raises(SyncError, match="Paste your personal token"):
        ApiClient("https://course.example.org", " ")


def test_answers_over_the_days_allowance_are_sent_by_a_later_sync(
        course: Course, scene: Scene, course_server: Callable[..., Any], tmp_path: Path) -> None:
    col = learners_collection(course, scene, tmp_path)
    answered = study(col, 8)
    with course_server(scene.edited, ANKI_MAX_ANSWERS_PER_DAY=5) as (app, base):
        user_id, token = learner_token(app)
        api = ApiClient(base, token)
        first = sync(col, api)
        assert (first.reviews_sent, first.held_back) == (5, answered - 5)
        assert f"{answered - 5} more to send next time (daily limit)" in first.summary()
        assert sync(col, api).reviews_sent == 0  # the same day: still over the allowance, nothing lost
        app.config["ANKI_MAX_ANSWERS_PER_DAY"] = 100  # as if the next day had come
        assert sync(col, api).reviews_sent == answered - 5
        assert col.db is not None
        assert anki_review_ids(app, user_id) == [int(rid) for rid in col.db.list("SELECT id FROM revlog ORDER BY id")]
