"""Import jobs: a row per upload in `anki_imports`, worked on in the background.

The web worker that receives the upload saves it to a folder on this machine's
disk (ANKI_UPLOAD_DIR), writes a job row and hands `run` to the job queue
(`webapp.platform.jobs`: an RQ worker with REDIS_URL, else a thread); the
request waits up to `ANKI_FOREGROUND_SECONDS` (1 s) and then sends the learner
to the job's page, which polls the row. Because the state is in the database,
any web worker can show it. The file itself is read in a bounded child process
(`webapp.ankisync.package`); the job only writes what it returns, in short
transactions of whole items (`webapp.ankisync.history.plan_import`), each one
also adding its count to the job row. So a learner's imports in the last
24 hours are counted from `anki_imports` (`added_today`).

If the process running the job dies mid-import, what was committed is whole and
counted. On the queue, another worker runs the job again from the start: the
answers already imported are recognised by their Anki id and not added twice,
and the row keeps counting from where it was. Without a queue (or with no
worker left to retry it), a job not updated for `STALE_AFTER` is shown as
failed and the learner uploads again, with the same guarantee.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from quizzes.anki_identity import guid_map
from webapp.ankisync.history import Added, Bounds, Retention, add_anki_reviews, plan_import
from webapp.ankisync.package import Limits, PackageError, read_package
from webapp.classes.settings import study_settings
from webapp.platform.db import read_first
from webapp.platform.jobs import enqueue_named
from webapp.platform.models import AnkiImport, as_utc, utcnow

STALE_AFTER = dt.timedelta(minutes=10)
ACTIVE = ("queued", "running")


def limits(app: Flask) -> Limits:
    """The upload bounds configured for `app`."""
    config = app.config
    return Limits(int(config["ANKI_MAX_UPLOAD_BYTES"]), int(config["ANKI_MAX_UNPACKED_BYTES"]),
                  max_answers=int(config["ANKI_MAX_ANSWERS_PER_UPLOAD"]),
                  max_per_note=int(config["ANKI_MAX_ANSWERS_PER_NOTE"]),
                  memory_bytes=int(config["ANKI_IMPORT_MEMORY_BYTES"]), cpu_seconds=int(config["ANKI_IMPORT_CPU_SECONDS"]),
                  wall_seconds=float(config["ANKI_IMPORT_WALL_SECONDS"]))


def bounds(app: Flask) -> Bounds:
    """The import guards' settings configured for `app`."""
    return Bounds(float(app.config["ANKI_CLOCK_SKEW_SECONDS"]), int(app.config["ANKI_MAX_ANSWERS_PER_MINUTE"]))


def added_today(session: Session, user_id: int, now: dt.datetime) -> int:
    """Answers the learner's imports added in the 24 hours before `now` (running ones included)."""
    return int(session.scalar(
        select(func.coalesce(func.sum(AnkiImport.reviews_added), 0))
        .where(AnkiImport.user_id == user_id, AnkiImport.created_at > now - dt.timedelta(days=1))
    ) or 0)


def upload_wait(session: Session, user_id: int, now: dt.datetime, per_window: int, window_seconds: int) -> int:
    """Seconds until the learner may start another upload (0: now): at most `per_window` in any window."""
    recent = list(session.scalars(
        select(AnkiImport.created_at).where(AnkiImport.user_id == user_id,
                                            AnkiImport.created_at > now - dt.timedelta(seconds=window_seconds))
        .order_by(AnkiImport.created_at.desc()).limit(per_window)))
    if len(recent) < per_window:
        return 0
    frees = as_utc(recent[-1]) + dt.timedelta(seconds=window_seconds)
    return max(1, math.ceil((frees - now).total_seconds()))


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


def queue_id(job_id: int) -> str:
    """The job queue's id for the import `job_id` (its page reads the queue's state under it)."""
    return f"anki-import-{job_id}"


def start(job_id: int, upload: Path, wait_seconds: float) -> None:
    """Hand the job to the queue; return when done or after `wait_seconds`, whichever is first."""
    enqueue_named(queue_id(job_id), run, job_id, str(upload)).wait(wait_seconds)


def run(job_id: int, upload: str) -> None:
    """Import the uploaded package of job `job_id`, then remove the upload's folder (a job of the queue)."""
    path = Path(upload)
    try:
        _run(current_app._get_current_object(), job_id, path)  # type: ignore[attr-defined]
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


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
        if job is None or job.status not in ACTIVE:
            return  # gone, or finished by an earlier run whose worker died before the queue heard
        user_id = job.user_id
        # Answers an earlier run of this job added: a re-run finds them known, but they are this job's own.
        added_before = job.reviews_added
    if not upload.is_file():
        _fail(factory, job_id, "The uploaded file is no longer on the server. Please upload it again.")
        return
    bank = get_bank()
    committed = added_before > 0
    try:
        workdir = upload.parent / "work"
        shutil.rmtree(workdir, ignore_errors=True)  # an earlier run's half-unpacked files
        workdir.mkdir()
        contents = read_package(upload, guid_map(question.id for question in bank), limits(app), workdir, progress)
        progress(f"Adding {len(contents.reviews)} answers to your history", 70)
        per_day = int(app.config["ANKI_MAX_ANSWERS_PER_DAY"])
        with factory() as session:
            read_first(session)  # planning only reads: other learners' answers need not wait on it (SQLite)
            settings = study_settings(session, user_id, app.config["DEFAULT_RETENTION"], app.config["DEFAULT_NEW_LIMIT"])
            retention = Retention(settings.desired_retention, app.config["SAFETY_RETENTION"])
            plan = plan_import(session, user_id, contents.reviews, bank, per_day - added_today(session, user_id, utcnow()),
                               int(app.config["ANKI_IMPORT_BATCH_ROWS"]), bounds=bounds(app))
        for number, batch in enumerate(plan.batches, start=1):
            with factory() as session:
                added = add_anki_reviews(session, user_id, batch, bank, retention)
                job = session.get(AnkiImport, job_id)
                assert job is not None
                _count(job, added, f"Added {number} of {len(plan.batches)} parts", 70 + 29 * number // len(plan.batches))
                session.commit()
                committed = True
        with factory() as session:
            job = session.get(AnkiImport, job_id)
            assert job is not None
            now = utcnow()
            job.status, job.stage, job.percent, job.updated_at, job.finished_at = "done", "Done", 100, now, now
            job.notes_found, job.reviews_known = contents.notes_found, max(0, plan.reviews_known - added_before)
            job.refused, job.refused_detail, job.skipped = sum(plan.refused.values()), dict(plan.refused), dict(plan.skipped)
            if plan.held_back:
                job.message = (f"{plan.held_back:,} newer answers in this file were not added: an import adds at most "
                               f"{per_day:,} answers a day. Upload the same file again tomorrow to add them.")
            session.commit()
    except PackageError as error:
        _fail(factory, job_id, str(error))
    except IntegrityError:
        _fail(factory, job_id, "Another upload was importing the same answers at the same time. Upload the file again.")
    except Exception:
        app.logger.exception("Anki import %s failed", job_id)
        kept = " Answers added before the problem are kept;" if committed else " Nothing was changed;"
        _fail(factory, job_id, f"Something went wrong while importing.{kept} please try again later.")


def _count(job: AnkiImport, added: Added, stage: str, percent: int) -> None:
    """Add one batch's figures to the job row, with the stage shown to the learner."""
    job.reviews_added += added.reviews_added
    job.items += added.items
    if added.first_review is not None:
        job.first_review = min(filter(None, (job.first_review, added.first_review)))
    if added.last_review is not None:
        job.last_review = max(filter(None, (job.last_review, added.last_review)))
    job.status, job.stage, job.percent, job.updated_at = "running", stage, percent, utcnow()


def _fail(factory: sessionmaker[Session], job_id: int, message: str) -> None:
    with factory() as session:
        now = utcnow()
        session.execute(update(AnkiImport).where(AnkiImport.id == job_id).values(
            status="failed", stage="Not imported", message=message[:500], updated_at=now, finished_at=now))
        session.commit()
