"""Anki answers counted as Anki counts them, and the class figures guarded: real collections, real uploads.

F8 previews in a filtered deck; F9 a note's other cards; F10 "Forget"; F11 fabricated or foreign
history; F12 the upload limit per learner with the real wait.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from pathlib import Path
from typing import Any

import pytest
from anki.collection import Collection
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from course import Course
from quizzes.anki_identity import note_guid
from quizzes.bank import Bank, build_bank
from quizzes.scheduling import review
from tests.webapp.ankisync.anki_helpers import (
    answer_card,
    course_bank,
    export_apkg,
    forged_history,
    import_deck,
    new_collection,
    study,
    upload,
    wait_for_job,
)
from tests.webapp.helpers import make_class, signup, user_id
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, ItemState, Review, SchoolClass, User


def _bank(course: Course, *types: str) -> Bank:
    """The questions of `types` (a site map for "hotspot"): their notes may have a second card."""
    return Bank(course=course, questions=tuple(
        q for q in build_bank(course) if q.type in types and (q.type != "hotspot" or q.id.startswith("site-map--"))))


def _two_card_items(col: Collection, bank: Bank, *types: str) -> list[str]:
    """For each of `types`, the first item of `bank` whose note has two cards or more in `col`."""
    chosen = []
    for kind in types:
        chosen.append(next(q.id for q in bank if q.type == kind and len(_cards(col, q.id)) > 1))
    return chosen


def _cards(col: Collection, item_id: str) -> list[int]:
    """The item's note's card ids, by card number (ord)."""
    assert col.db is not None
    return list(col.db.list("SELECT c.id FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = ? ORDER BY c.ord",
                            note_guid(item_id)))


def _states(app: Flask) -> dict[str, ItemState]:
    with app.app_context():
        return {s.item_id: s for s in get_session().scalars(select(ItemState))}


def _reviews(app: Flask) -> list[Review]:
    with app.app_context():
        return list(get_session().scalars(select(Review).order_by(Review.reviewed_at)))


@pytest.fixture
def learner(client: FlaskClient) -> FlaskClient:
    """A signed-in student."""
    assert signup(client).status_code == 302
    return client


# --- F8: previews in a filtered deck are not answers -------------------------------------------------------


def test_filtered_deck_previews_leave_cards_new(app: Flask, learner: FlaskClient, course: Course,
                                                tmp_path: Path) -> None:
    bank = course_bank(course, 8)
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    assert study(col, 2) == 2
    # A filtered deck of new cards with "Reschedule cards based on my answers" off: Anki's preview mode.
    deck_id = col.decks.new_filtered("Preview")
    deck = col.decks.get(deck_id)
    assert deck is not None
    deck["resched"], deck["terms"] = False, [['deck:"Massage Safety" is:new', 100, 0]]
    col.decks.save(deck)
    col.sched.rebuild_filtered_deck(deck_id)
    col.decks.select(deck_id)
    previewed = []
    for _ in range(5):
        card = col.sched.getCard()
        assert card is not None
        time.sleep(0.01)
        col.sched.answerCard(card, 3)
        previewed.append(card.id)
    assert col.db is not None
    assert col.db.all("SELECT DISTINCT type, factor FROM revlog WHERE cid IN " + str(tuple(previewed))) == [[3, 0]]
    col.sched.empty_filtered_deck(deck_id)
    still_new = {guid for guid, kind in col.db.all("SELECT n.guid, c.type FROM cards c JOIN notes n ON n.id = c.nid "
                                                  "WHERE c.id IN " + str(tuple(previewed))) if kind == 0}
    data = export_apkg(col, tmp_path / "preview.apkg").read_bytes()
    col.close()

    page = wait_for_job(app, learner, upload(learner, data))
    new_here = {note_guid(item) for item in _states(app)}
    in_app = sorted(still_new & new_here)
    assert len(still_new) == 5 and in_app == [], f"{len(in_app)} cards still new in Anki are studied in the app"
    assert "5 previews or cramming in a filtered deck" in page


# --- F9: each card of a note has its own meaning -----------------------------------------------------------


def test_a_notes_other_cards_are_not_merged_into_its_question(app: Flask, learner: FlaskClient, course: Course,
                                                              tmp_path: Path) -> None:
    bank = _bank(course, "cloze", "matching", "hotspot")
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    items = _two_card_items(col, bank, "cloze", "matching", "hotspot")
    for item_id in items:
        first, second = _cards(col, item_id)[:2]
        answer_card(col, first, 3)  # the question itself: Good
        answer_card(col, second, 1)  # c2, the reverse side, "What is at risk here": Again
    data = export_apkg(col, tmp_path / "cards.apkg").read_bytes()
    col.close()

    page = wait_for_job(app, learner, upload(learner, data))
    rows = _reviews(app)
    wrong = sorted(r.item_id for r in rows if r.result == "incorrect")
    assert wrong == [], f"an Again on another card marked {wrong} incorrect"
    assert sorted(r.item_id for r in rows) == sorted(items)
    states = _states(app)
    assert all(states[item_id].first_correct for item_id in items)
    assert "3 answers to a note" in page


# --- F10: "Forget" restarts the memory, as in Anki's FSRS --------------------------------------------------


@pytest.mark.parametrize("logged", [True, False], ids=["reset-logged", "reset-unlogged"])
def test_forget_restarts_the_memory_as_anki_does(app: Flask, learner: FlaskClient, course: Course,
                                                 tmp_path: Path, logged: bool) -> None:
    bank = _bank(course, "cloze")
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    question = bank.get(_two_card_items(col, bank, "cloze")[0])
    assert question is not None
    col.set_config("fsrs", True)
    card_id = _cards(col, question.id)[0]
    for button in (3, 3, 1, 3):
        answer_card(col, card_id, button)
    col.sched.schedule_cards_as_new([card_id], restore_position=True, reset_counts=True)  # type: ignore[list-item]
    for button in (3, 3, 4):
        answer_card(col, card_id, button)
    anki_card = col.get_card(card_id)  # type: ignore[arg-type]
    assert anki_card.memory_state is not None
    anki_reps, anki_stability = anki_card.reps, anki_card.memory_state.stability
    if not logged:  # as Anki before 23.10 left it: no revlog entry for the reset
        assert col.db is not None
        col.db.execute("DELETE FROM revlog WHERE type = 4")
    data = export_apkg(col, tmp_path / "forget.apkg").read_bytes()
    col.close()

    wait_for_job(app, learner, upload(learner, data))
    state = _states(app)[question.id]
    rows = [r for r in _reviews(app) if r.item_id == question.id]
    assert len(rows) == 7 and state.reps == 7  # every answer was given: the attempt count keeps them
    # The memory is Anki's own figure: the same FSRS over the answers after the reset.
    assert state.stability == pytest.approx(anki_stability, rel=1e-3), (
        f"app stability {state.stability:.2f}; Anki reps {anki_reps}, stability {anki_stability:.2f}")
    after = [r for r in rows if state.memory_from is not None and r.reviewed_at > state.memory_from]
    # The memory is the answers after the reset, replayed from a new card, as Anki's FSRS keeps them.
    card = None
    for row in after:
        card = review(card, row.rating, row.reviewed_at, 0.95 if question.safety_critical else 0.9).card
    assert card is not None and state.stability == pytest.approx(card["stability"]), (
        f"app stability {state.stability:.2f} from {len(after)} answers; Anki reps {anki_reps}, "
        f"stability {anki_stability:.2f}")
    assert len(after) == anki_reps == 3 and after[0].state_before == 0 and after[0].card_before is None
    assert state.lapses == 0  # the lapse before the reset is forgotten with it

    again = wait_for_job(app, learner, upload(learner, data))  # the same file again changes nothing
    assert "Nothing new to import" in again
    assert _states(app)[question.id].stability == pytest.approx(state.stability)


def test_verify_replays_a_reset_item_without_a_difference(app: Flask, learner: FlaskClient, course: Course,
                                                          tmp_path: Path) -> None:
    from webapp.tools.integrity.verify import Mismatch, verify

    bank = _bank(course, "cloze")
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    question = bank.get(_two_card_items(col, bank, "cloze")[0])
    assert question is not None
    card_id = _cards(col, question.id)[0]
    for button in (3, 1, 3):
        answer_card(col, card_id, button)
    col.sched.schedule_cards_as_new([card_id], restore_position=True, reset_counts=True)  # type: ignore[list-item]
    for button in (3, 3):
        answer_card(col, card_id, button)
    data = export_apkg(col, tmp_path / "forget.apkg").read_bytes()
    col.close()
    wait_for_job(app, learner, upload(learner, data))
    found = list(verify(app.extensions["db_engine"]))
    assert [m for m in found if isinstance(m, Mismatch)] == []


# --- F11: fabricated and foreign history is refused, and the instructor told ----------------------------


def _sign_in_as_teacher(app: Flask, client: FlaskClient, class_id: int) -> None:
    client.post("/logout")
    with app.app_context():
        session = get_session()
        teacher = session.get(User, session.get(SchoolClass, class_id).instructor_id)  # type: ignore[union-attr]
        assert teacher is not None
        teacher.password_hash = hash_password("teacher password 1")
        email = teacher.email
        session.commit()
    client.post("/login", data={"email": email, "password": "teacher password 1"})


def test_fabricated_history_is_refused_and_the_instructor_told(app: Flask, client: FlaskClient, course: Course,
                                                               tmp_path: Path) -> None:
    class_id, code = make_class(app)
    signup(client)
    client.post("/join", data={"join_code": code})
    page = wait_for_job(app, client, upload(client, forged_history(tmp_path / "f", course)))
    rows = _reviews(app)
    now = dt.datetime.now(dt.timezone.utc)
    forged = [r for r in rows if r.rating == 4 and r.response_ms in (5000, 900)]
    assert max(r.reviewed_at for r in rows) <= now, f"an answer dated in the future was imported ({len(forged)} forged)"
    # Kept: the first answer of the burst, and one a second for the first 40 of the steady run.
    assert len(forged) == 41, f"{len(forged)} forged answers imported"
    with app.app_context():
        job = get_session().scalar(select(AnkiImport))
        assert job is not None
        assert job.refused_detail == {"future": 2, "before_note": 1, "overlap": 19, "too_fast": 20}, job.refused_detail
    assert "42 answers refused" in page and "2 dated in the future" in page

    _sign_in_as_teacher(app, client, class_id)
    text = client.get(f"/instructor/classes/{class_id}/students/{user_id(app, 'ada@example.com')}").get_data(as_text=True)
    assert "42 answers from Anki refused" in text and "19 timed over another answer" in text
    assert "20 more answers in a minute than anyone gives" in text
    assert "counts answers from Anki toward its assignments" in text


def test_the_same_export_from_a_second_account_is_refused_and_shown(app: Flask, client: FlaskClient,
                                                                    course: Course, tmp_path: Path) -> None:
    col = new_collection(tmp_path / "c")
    import_deck(col, course_bank(course), tmp_path)
    assert study(col, 6) == 6
    data = export_apkg(col, tmp_path / "shared.apkg").read_bytes()
    col.close()
    class_id, code = make_class(app)
    signup(client)
    assert "Imported 6 answers" in wait_for_job(app, client, upload(client, data))
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")
    client.post("/join", data={"join_code": code})
    page = wait_for_job(app, client, upload(client, data))
    assert "6 already imported for another account" in page
    with app.app_context():
        graces = get_session().scalar(select(func.count()).select_from(Review).where(
            Review.user_id == user_id(app, "grace@example.com")))
    assert graces == 0
    _sign_in_as_teacher(app, client, class_id)
    text = client.get(f"/instructor/classes/{class_id}/students/{user_id(app, 'grace@example.com')}").get_data(as_text=True)
    assert "6 answers from Anki refused" in text and "6 already imported for another account" in text


def test_a_class_may_leave_anki_answers_out_of_assignments(app: Flask, client: FlaskClient, course: Course,
                                                           tmp_path: Path) -> None:
    from webapp.classes.assignments import progress
    from webapp.platform.models import Assignment

    bank = course_bank(course, 2)
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    for question in bank:
        answer_card(col, _cards(col, question.id)[0], 3)
    data = export_apkg(col, tmp_path / "a.apkg").read_bytes()
    col.close()
    class_id, code = make_class(app)
    signup(client)
    client.post("/join", data={"join_code": code})
    wait_for_job(app, client, upload(client, data))
    uid = user_id(app, "ada@example.com")
    with app.app_context():
        session = get_session()
        school_class = session.get(SchoolClass, class_id)
        assert school_class is not None
        assignment = Assignment(class_id=class_id, title="First two", kind="study", lessons=[],
                                modules=[], due_on=dt.date.today() + dt.timedelta(days=3))
        session.add(assignment)
        session.flush()
        app_bank: Bank = app.extensions["bank"]
        counted = progress(session, app_bank, assignment, uid)
        school_class.anki_counts = False
        session.flush()
        session.refresh(assignment)
        left_out = progress(session, app_bank, assignment, uid)
        session.rollback()
    assert counted.seen == 2 and left_out.seen == 0


# --- F12: the upload limit is per learner, and says the real wait ------------------------------------------


def test_upload_limit_is_per_learner_with_the_real_wait(make_app: Any, app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, RATELIMIT_ENABLED=True))
    client = app.test_client()
    signup(client)
    for _ in range(10):
        page = wait_for_job(app, client, upload(client, b"not a package"))
        assert "Not imported" in page
    client.post("/logout")
    signup(client, email="grace@example.com", name="Grace")  # a classmate behind the same address
    classmate = upload(client, b"not a package")
    assert classmate.status_code == 200 and "Not imported" in wait_for_job(app, client, classmate), classmate.status
    client.post("/logout")
    signup(client)  # Ada again: her eleventh upload in ten minutes
    refused = client.post("/progress/anki", data={"package": (io.BytesIO(b"x"), "x.apkg")},
                          content_type="multipart/form-data")
    text = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "You can upload again in 10 minutes" in text, re.sub(r"\s+", " ", text)[-800:]
    assert 540 < int(refused.headers["Retry-After"]) <= 600


def test_the_class_setting_is_on_by_default_and_saved_from_the_form(app: Flask, client: FlaskClient) -> None:
    class_id, _ = make_class(app)
    _sign_in_as_teacher(app, client, class_id)
    url = f"/instructor/classes/{class_id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*id="anki_counts"|<input[^>]*id="anki_counts"[^>]*checked', page)
    with app.app_context():
        school_class = get_session().get(SchoolClass, class_id)
        assert school_class is not None
        fields = {"name": school_class.name, "desired_retention": "90", "daily_new_limit": "20", "exam_date": "",
                  "timezone": "UTC", "modules": [m.id for m in app.extensions["bank"].course.modules]}
    assert client.post(url, data=fields).status_code == 302  # the box left unticked
    with app.app_context():
        assert get_session().get(SchoolClass, class_id).anki_counts is False  # type: ignore[union-attr]
    assert client.post(url, data={**fields, "anki_counts": "y"}).status_code == 302
    with app.app_context():
        assert get_session().get(SchoolClass, class_id).anki_counts is True  # type: ignore[union-attr]
