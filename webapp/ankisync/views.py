"""Uploading an Anki export on /progress, and the import's page while it runs and after.

The upload route is exempt from the app-wide CSRF hook only because that hook
reads the body under the app's small request-size limit; this route raises the
limit for itself first, then validates the form, CSRF token included.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.ankisync import bp, jobs, pushes
from webapp.ankisync.forms import UploadForm
from webapp.ankisync.package import size_label
from webapp.platform import jobs as background
from webapp.platform.db import get_session
from webapp.platform.extensions import csrf
from webapp.platform.models import AnkiImport, Review, utcnow


def panel(user_id: int | None = None) -> dict[str, Any]:
    """What the progress page's Anki panel shows for `user_id` (default: the signed-in learner)."""
    uid = user_id if user_id is not None else current_user.id
    session = get_session()
    count = session.scalar(
        select(func.count()).select_from(Review).where(Review.user_id == uid, Review.source == "anki")
    )
    synced = session.scalar(
        select(func.max(AnkiImport.finished_at)).where(AnkiImport.user_id == uid, AnkiImport.status == "done")
    )
    refused: Counter[str] = Counter()
    for detail in session.scalars(select(AnkiImport.refused_detail).where(AnkiImport.user_id == uid,
                                                                         AnkiImport.refused > 0)):
        refused.update({str(reason): int(n) for reason, n in (detail or {}).items()})
    return {"form": UploadForm(), "latest": jobs.latest_job(session, uid), "anki_reviews": int(count or 0),
            "synced_at": synced, "max_size": _max_size(), "refused": dict(refused), "refused_total": sum(refused.values()),
            "safety": float(current_app.config["SAFETY_RETENTION"])}


def _max_size() -> str:
    return size_label(int(current_app.config["ANKI_MAX_UPLOAD_BYTES"]))


def _back(message: str) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(url_for("progress.index") + "#anki-heading")


def _wait_label(seconds: int) -> str:
    """A wait for people: "40 seconds", "1 minute", "7 minutes"."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _too_many(wait: int) -> ResponseReturnValue:
    count, window = int(current_app.config["ANKI_UPLOADS_PER_WINDOW"]), int(current_app.config["ANKI_UPLOAD_WINDOW_SECONDS"])
    message = (f"You have started {count} uploads in the last {_wait_label(window)}, the most one learner may. "
               f"You can upload again in {_wait_label(wait)}.")
    return render_template("error.html", code=429, message=message), 429, {"Retry-After": str(wait)}


@bp.post("/progress/anki")
@csrf.exempt
@login_required
def upload() -> ResponseReturnValue:
    """Save the upload, start its import, and show the import's page."""
    # Per learner, counted from their import rows (every worker sees them), not per address:
    # a classroom behind one NAT shares an address.
    wait = jobs.upload_wait(get_session(), current_user.id, utcnow(), int(current_app.config["ANKI_UPLOADS_PER_WINDOW"]),
                            int(current_app.config["ANKI_UPLOAD_WINDOW_SECONDS"]))
    if wait:
        return _too_many(wait)
    request.max_content_length = int(current_app.config["ANKI_MAX_UPLOAD_BYTES"]) + 64 * 1024
    try:
        form = UploadForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        return _back(f"The file is larger than {_max_size()}, so it was not uploaded.")
    if not valid and "csrf_token" in form.errors:
        return _back("This form has expired or was already sent. Please reload the page and try again.")
    if not valid:
        errors = [error for messages in form.errors.values() for error in messages]
        return _back(str(errors[0]) if errors else "The upload could not be read. Please try again.")
    session = get_session()
    if jobs.active_job(session, current_user.id, utcnow()) is not None:
        session.rollback()
        return _back("An import of yours is still running. Wait for it to finish, then upload again.")
    uploads = str(current_app.config["ANKI_UPLOAD_DIR"]) or None
    if uploads:
        Path(uploads).mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="anki-upload-", dir=uploads))
    path = folder / "upload"
    form.package.data.save(path)
    name = (form.package.data.filename or "upload")[:255]
    job = AnkiImport(user_id=current_user.id, filename=name, status="queued", stage="Waiting to start", percent=0,
                     message="")
    session.add(job)
    session.commit()
    jobs.start(job.id, path, float(current_app.config["ANKI_FOREGROUND_SECONDS"]))
    return redirect(url_for("ankisync.job", job_id=job.id))


_AGAIN = "Upload the file again: answers already imported are not added twice."


def _own_job(job_id: int) -> AnkiImport:
    job = get_session().get(AnkiImport, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)
    if job.status not in jobs.ACTIVE:
        return job
    queued = background.state(jobs.queue_id(job.id))
    if queued is not None and queued.status == "queued":
        # Waiting for a worker, or put back on the queue after its worker died: not stale, however long.
        job.stage = "Waiting for a worker" if job.status == "queued" else "Waiting for a worker to carry on"
    elif queued is not None and queued.status == "failed":
        job.status, job.message = "failed", (f"The import stopped before it finished ({queued.reason}). {_AGAIN}")
    elif jobs.is_stale(job, utcnow()):
        job.status, job.message = "failed", f"The import stopped before it finished. {_AGAIN}"
    return job


@bp.get("/progress/anki/<int:job_id>")
@login_required
def job(job_id: int) -> ResponseReturnValue:
    """The import's progress while it runs; what it imported, or why not, after."""
    return render_template("ankisync/job.html", job=_own_job(job_id), form=UploadForm(), max_size=_max_size(),
                           addon_filename=pushes.FILENAME)


@bp.get("/progress/anki/<int:job_id>/status")
@login_required
def status(job_id: int) -> ResponseReturnValue:
    """The job's state as JSON, for the page's polling script."""
    job = _own_job(job_id)
    return jsonify(status=job.status, stage=job.stage, percent=job.percent)

