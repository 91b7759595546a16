"""Issue 27, item 8: `massage-course verify` after an ordinary Anki sync reports no false mismatches.

The learner studies in Anki first, then answers one of the same questions in
the browser, then syncs (uploads the Anki export). The import replays each
item in time order, so the browser answer (stored first, answered last)
follows the Anki answers; a verify that replays in id order disagreed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from commands import main
from course import Course
from quizzes.anki_identity import note_guid
from tests.webapp.ankisync.anki_helpers import (
    course_bank,
    export_apkg,
    import_deck,
    new_collection,
    revlog,
    study,
    upload,
    wait_for_job,
)
from tests.webapp.helpers import answer_fields, signup, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Review, User
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer


def test_verify_after_an_anki_sync_finds_nothing(app: Flask, client: FlaskClient, course: Course,
                                                 tmp_path: Path) -> None:
    bank = course_bank(course)
    col = new_collection(tmp_path / "c")
    import_deck(col, bank, tmp_path)
    assert study(col, 12) == 12
    log = revlog(col)
    data = export_apkg(col, tmp_path / "sync.apkg").read_bytes()
    col.close()
    item_of = {note_guid(q.id): q.id for q in bank}
    studied = sorted({item_of[guid] for _, guid, *_ in log})
    signup(client)
    uid = user_id(app, "ada@example.com")
    with app.app_context():  # answered in the browser after Anki, before the sync
        session = get_session()
        user = session.get(User, uid)
        assert user is not None
        now = dt.datetime.now(dt.timezone.utc)
        for n, item_id in enumerate(studied):
            question = app.extensions["bank"].get(item_id)
            response = parse_response(question, MultiDict(answer_fields(question))).response  # type: ignore[arg-type]
            record_answer(session, user, question, response, 5000, f"p-{n}", now + dt.timedelta(seconds=n), 0.9, 0.95)
        session.commit()
    assert f"Imported {len(log)} answers" in wait_for_job(app, client, upload(client, data))
    with app.app_context():
        rows = list(get_session().scalars(select(Review).order_by(Review.id)))
        assert [r.source for r in rows][: len(studied)] == ["web"] * len(studied)  # stored first, answered last
    result = CliRunner().invoke(main, ["verify", "--database-url", app.config["DATABASE_URL"]])
    assert result.exit_code == 0, result.output
    assert "0 mismatches" in result.output and "0 differences" in result.output
