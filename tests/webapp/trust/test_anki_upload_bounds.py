"""Issue 27, items 2 and 3: a hostile Anki file costs a bounded child process, never the web worker or other learners.

Each file is built here from a real collection the `anki` library made: a
`revlog` with a virtual generated column computing `hex(zeroblob(240000000))`,
a zstd bomb, a revlog of a million answers, and a large honest history that
must be written in short batches while another learner answers through the
real answer path (`POST /study/answer`) and times each answer.
"""

from __future__ import annotations

import fcntl
import functools
import io
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from course import Course
from tests.webapp.ankisync.anki_helpers import many_answers, peak_rss_growth_mb, tampered, upload, wait_for_job
from tests.webapp.helpers import answer_fields, signup, user_id
from webapp.ankisync import history, jobs
from webapp.platform.db import get_session
from webapp.platform.models import AnkiImport, Review, utcnow
from webapp.questions import tokens as presentations

MB = 1024 * 1024
# The issue's bound for another learner's answer is 1 s. On this 2-core machine under a load average of 13-16
# a plain answer with no import running took up to 1 s, so the bound here is 5 s; the old import held SQLite's
# write lock for the whole upload (111 s for the issue's file), which still fails it.
ANSWER_WAIT_BOUND = 5.0
GENERATED = "ALTER TABLE revlog ADD COLUMN g TEXT GENERATED ALWAYS AS (hex(zeroblob(240000000))) VIRTUAL"


class Answerer:
    """Another learner answering through the real answer path in a thread, timing each POST."""

    def __init__(self, app: Flask) -> None:
        self.app, self.client = app, app.test_client()
        assert signup(self.client, email="bo@example.com", name="Bo").status_code == 302
        self.uid = user_id(app, "bo@example.com")
        self.waits: list[float] = []
        self.starts: list[tuple[float, float]] = []
        self.failures: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Answerer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(180)

    def _run(self) -> None:
        questions = list(self.app.extensions["bank"])
        n = 0
        while not self._stop.is_set():
            question = questions[n % len(questions)]
            n += 1
            token = presentations.issue(self.app.config["SECRET_KEY"], self.uid, question.id, utcnow())
            start = time.monotonic()
            response = self.client.post("/study/answer", data={"presentation": token, **answer_fields(question)})
            self.waits.append(time.monotonic() - start)
            self.starts.append((start, self.waits[-1]))
            if response.status_code != 302:
                self.failures.append(response.status_code)
            time.sleep(0.02)

    def recorded(self) -> int:
        with self.app.app_context():
            return int(get_session().scalar(select(func.count()).select_from(Review).where(Review.user_id == self.uid))
                       or 0)


def _built_once(factory: pytest.TempPathFactory, course: Course, count: int) -> bytes:
    """`many_answers(count, size=179)`, built once per test run and shared by both databases and every xdist worker.

    A million answers take 5-15 s to write and pack; the file is the same for every test that uploads it, so
    it is kept under the run's shared temporary folder. A lock makes a second worker that wants it at the same
    time wait for the first one's file rather than build its own.
    """
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker of this run shares
    cached = root / f"anki-{count}-answers.apkg"
    with (root / f"{cached.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not cached.is_file():
            side = cached.with_name(f"{cached.name}.{os.getpid()}")
            side.write_bytes(many_answers(factory.mktemp(f"anki-{count}"), course, count, size=179))
            side.replace(cached)
    return cached.read_bytes()


@pytest.fixture
def learner(client: FlaskClient) -> FlaskClient:
    """Ada, signed in."""
    assert signup(client).status_code == 302
    return client


def _timed(action: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = action()
    return result, time.monotonic() - start


def test_a_generated_column_file_is_refused_in_under_a_second_without_growing_the_worker(
        app: Flask, learner: FlaskClient, course: Course, tmp_path: Path) -> None:
    data = tampered(tmp_path / "c", course, GENERATED)
    assert len(data) < 200_000
    (page, seconds), growth = peak_rss_growth_mb(
        lambda: _timed(lambda: wait_for_job(app, learner, upload(learner, data), seconds=120)))
    assert "Not imported." in page and "not one Anki made" in page, page
    # The issue's bound is 1 s (measured 0.2-0.8 s end to end); 5 s leaves room for a loaded 2-core machine,
    # and the old import kept a worker busy for minutes on this file.
    assert seconds < 5.0, f"refused after {seconds:.2f} s"
    assert growth < 50, f"the worker grew by {growth:.0f} MB"


@functools.cache
def _zstd_zeros(size: int) -> bytes:
    """`size` zero bytes as one zstd frame (compressed once per process: the same bomb serves both databases)."""
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=3, write_content_size=False).stream_writer(out, closefd=False) as writer:
        block = b"\0" * MB
        for _ in range(size // MB):
            writer.write(block)
    return out.getvalue()


def test_a_zstd_bomb_stops_at_the_bound_of_the_space_it_may_use(
        app: Flask, learner: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[int] = []
    remove = shutil.rmtree

    def measure(path: Any, *args: Any, **kwargs: Any) -> None:  # the upload's folder, just before it goes
        written.append(sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file()))
        remove(path, *args, **kwargs)

    monkeypatch.setattr(jobs.shutil, "rmtree", measure)
    from anki.import_export_pb2 import PackageMetadata

    meta = PackageMetadata(version=PackageMetadata.VERSION_LATEST).SerializeToString()
    stream = _zstd_zeros(2048 * MB)  # 2 GiB of zeros
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("meta", meta)
        archive.writestr("collection.anki21b", stream)
    bomb = buffer.getvalue()
    page = wait_for_job(app, learner, upload(learner, bomb), seconds=120)
    assert "unpacks to more than 256 MB" in page, page
    bound = int(app.config["ANKI_MAX_UNPACKED_BYTES"])
    assert written and max(written) <= bound + len(bomb), f"{max(written) / MB:.0f} MB written for a {bound / MB:.0f} MB bound"


def test_a_million_answers_are_refused_while_another_learner_answers_promptly(
        app: Flask, learner: FlaskClient, course: Course, tmp_path_factory: pytest.TempPathFactory) -> None:
    data = _built_once(tmp_path_factory, course, 1_000_000)  # spread so the per-upload cap is met first
    with Answerer(app) as other:
        time.sleep(0.3)
        page, growth = peak_rss_growth_mb(lambda: wait_for_job(app, learner, upload(learner, data), seconds=120))
        time.sleep(0.3)
    assert "more than 20,000 answers to this course" in page, page[page.find("Not imported"):][:400]
    assert other.waits and max(other.waits) < ANSWER_WAIT_BOUND, f"an answer waited {max(other.waits):.2f} s"
    assert other.failures == [] and other.recorded() == len(other.waits)
    assert growth < 50, f"the worker grew by {growth:.0f} MB"
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Review).where(Review.source == "anki")) == 0


def test_a_large_history_is_written_in_short_batches(app: Flask, learner: FlaskClient, course: Course,
                                                    tmp_path_factory: pytest.TempPathFactory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Twenty batches' worth: enough to see that each batch is committed before the next begins and that another
    # learner's answers go in between them. (This once was 19,000 answers, relying on a single transaction taking
    # longer than ANSWER_WAIT_BOUND; the commits are now checked directly, as they happen.)
    rows = int(app.config["ANKI_IMPORT_BATCH_ROWS"])
    count = 20 * rows
    data = _built_once(tmp_path_factory, course, count)  # about 11 answers a note, under every cap
    batches: list[tuple[int, int, float]] = []  # (entries in the batch, Anki answers committed before it, when)
    add = history.add_anki_reviews

    def committed() -> int:
        with app.extensions["db_engine"].connect() as connection:  # a connection of its own sees only commits
            return int(connection.scalar(select(func.count()).select_from(Review).where(Review.source == "anki")) or 0)

    def add_counted(session: Any, user_id: int, batch: list[Any], *args: Any) -> Any:
        batches.append((len(batch), committed(), time.monotonic()))
        return add(session, user_id, batch, *args)

    monkeypatch.setattr("webapp.ankisync.jobs.add_anki_reviews", add_counted)  # the name the job calls
    with Answerer(app) as other:
        time.sleep(0.3)
        page = wait_for_job(app, learner, upload(learner, data), seconds=600)
        time.sleep(0.3)
    total = count + 4  # and the 4 answers Anki's scheduler gave
    assert f"Imported {total:,} answers" in page or f"Imported {total} answers" in page, page
    assert len(batches) >= 10 and max(size for size, _, _ in batches) <= rows, batches
    counts = [before for _, before, _ in batches] + [committed()]
    written = [after - before for before, after in zip(counts, counts[1:])]
    assert counts[0] == 0 and counts[-1] == total and all(0 < n <= rows for n in written), f"not one commit a batch: {written}"
    assert other.waits and max(other.waits) < ANSWER_WAIT_BOUND, f"an answer waited {max(other.waits):.2f} s during the import"
    assert other.failures == [] and other.recorded() == len(other.waits)
    first, last = batches[0][2], batches[-1][2]
    between = [start for start, wait in other.starts if first < start and start + wait < last]
    assert between, "no answer of another learner was written while the batches were being written"


def test_a_learner_adds_at_most_the_daily_allowance(make_app: Callable[..., Flask], app_config: dict[str, Any],
                                                   course: Course, tmp_path: Path) -> None:
    app = make_app(dict(app_config, ANKI_MAX_ANSWERS_PER_DAY=3))
    client = app.test_client()
    signup(client)
    data = many_answers(tmp_path / "d", course, 0)  # the 4 answers Anki's scheduler gave
    first = wait_for_job(app, client, upload(client, data))
    assert "Imported 3 answers" in first and "1 newer answers in this file were not added" in first, first
    again = wait_for_job(app, client, upload(client, data))
    assert "Nothing new to import" in again and "1 newer answers" in again
    with app.app_context():
        session = get_session()
        assert session.scalar(select(func.count()).select_from(Review).where(Review.source == "anki")) == 3
        assert session.scalar(select(func.sum(AnkiImport.reviews_added))) == 3
