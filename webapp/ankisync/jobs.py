"""Import jobs: a row per upload in `anki_imports`, worked on by a thread.

The worker that receives the upload saves it to a temporary folder, writes a
job row and starts a thread on it; the request waits up to
`ANKI_FOREGROUND_SECONDS` (1 s) and then sends the learner to the job's page,
which polls the row. Because the state is in the database, any worker can show
it. The limit, documented in the README: the work itself runs in the worker
that received the upload, so if that process dies mid-import, the job is
never finished; a job not updated for `STALE_AFTER` is shown as failed (nothing
was written: the import is one transaction) and the learner uploads again.
"""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quizzes.anki_identity import guid_map
from webapp.ankisync.history import Retention, add_anki_reviews
from webapp.ankisync.package import Limits, PackageError, read_package
from webapp.classes.settings import study_settings
from webapp.platform.models import AnkiImport, utcnow

STALE_AFTER = dt.timedelta(minutes=10)
ACTIVE = ("queued", "running")


def limits(app: Flask) -> Limits:
    """The upload bounds configured for `app`."""
    return Limits(int(app.config["ANKI_MAX_UPLOAD_BYTES"]), int(app.config["ANKI_MAX_UNPACKED_BYTES"]))


def active_job(session: Session, user_id: int, now: dt.datetime) -> AnkiImport | None:
    """The learner's import still running (one at a time), if any."""
    return session.scalar(
        select(AnkiImport).where(AnkiImport.user_id == user_id, AnkiImport.status.in_(ACTIVE),
                                 AnkiImport.updated_at > now - STALE_AFTER)
    )


def latest_job(session: Session, user_id: int) -> AnkiImport | None:
    """The learner's most recent upload."""
    return session.scalar(
        select(AnkiImport).where(AnkiImport.user_id == user_id)
        .order_by(AnkiImport.created_at.desc(), AnkiImport.id.desc()).limit(1)
    )


def is_stale(job: AnkiImport, now: dt.datetime) -> bool:
    """True for a job still marked running that nobody has updated for `STALE_AFTER`."""
    return job.status in ACTIVE and job.updated_at <= now - STALE_AFTER


def start(app: Flask, job_id: int, upload: Path, wait_seconds: float) -> None:
    """Work on the job in a thread; return when done or after `wait_seconds`, whichever is first."""
    thread = threading.Thread(target=run, args=(app, job_id, upload), name=f"anki-import-{job_id}", daemon=True)
    thread.start()
    thread.join(wait_seconds)


def run(app: Flask, job_id: int, upload: Path) -> None:
    """Import the uploaded package of job `job_id`, then remove the upload's folder."""
    try:
        with app.app_context():
            _run(app, job_id, upload)
    finally:
        shutil.rmtree(upload.parent, ignore_errors=True)


def _run(app: Flask, job_id: int, upload: Path) -> None:
    from webapp.platform.content import get_bank

    factory: sessionmaker[Session] = app.extensions["db_sessionmaker"]

    def progress(stage: str, percent: int) -> None:
        with factory() as session:
            session.execute(update(AnkiImport).where(AnkiImport.id == job_id)
                            .values(status="running", stage=stage, percent=percent, updated_at=utcnow()))
            session.commit()

    with factory() as session:
        job = session.get(AnkiImport, job_id)
        if job is None:
            return
        user_id = job.user_id
    bank = get_bank()
    try:
        workdir = upload.parent / "work"
        workdir.mkdir()
        contents = read_package(upload, guid_map(question.id for question in bank), limits(app), workdir, progress)
        progress(f"Adding {len(contents.reviews)} answers to your history", 70)
        with factory() as session:
            settings = study_settings(session, user_id, app.config["DEFAULT_RETENTION"], app.config["DEFAULT_NEW_LIMIT"])
            retention = Retention(settings.desired_retention, app.config["SAFETY_RETENTION"])
            added = add_anki_reviews(session, user_id, contents.reviews, bank, retention)
            job = session.get(AnkiImport, job_id)
            assert job is not None
            now = utcnow()
            job.status, job.stage, job.percent, job.updated_at, job.finished_at = "done", "Done", 100, now, now
            job.notes_found, job.reviews_added, job.reviews_known = contents.notes_found, added.reviews_added, added.reviews_known
            job.items, job.first_review, job.last_review = added.items, added.first_review, added.last_review
            session.commit()
    except PackageError as error:
        _fail(factory, job_id, str(error))
    except IntegrityError:
        _fail(factory, job_id, "Another upload was importing the same answers at the same time. Upload the file again.")
    except Exception:
        app.logger.exception("Anki import %s failed", job_id)
        _fail(factory, job_id, "Something went wrong while importing. Nothing was changed; please try again later.")


def _fail(factory: sessionmaker[Session], job_id: int, message: str) -> None:
    with factory() as session:
        now = utcnow()
        session.execute(update(AnkiImport).where(AnkiImport.id == job_id).values(
            status="failed", stage="Not imported", message=message[:500], updated_at=now, finished_at=now))
        session.commit()
