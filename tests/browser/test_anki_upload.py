"""Uploading an Anki export on /progress in Chromium: axe-core and screenshots at 375 px and desktop, light and dark
(each step looked at in both schemes)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker
from werkzeug.serving import make_server

from course import Course
from tests.browser.helpers import VIEWPORTS, look, signup
from tests.webapp.ankisync.anki_helpers import course_bank, export_apkg, import_deck, new_collection, study
from webapp import create_app
from webapp.platform.db import make_engine
from webapp.platform.models import AnkiImport, User

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def apkgs(course: Course, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Our deck, answered 12 times in Anki, exported with scheduling: one learner's own file per viewport.

    One file each because the same answers uploaded by a second account are refused (`webapp.ankisync.guards`).
    """
    files = {}
    for tag in VIEWPORTS:
        folder = tmp_path_factory.mktemp(f"anki-browser-{tag}")
        col = new_collection(folder / "collection")
        import_deck(col, course_bank(course), folder)
        study(col, 12)
        files[tag] = export_apkg(col, folder / "Massage Safety.apkg")
        col.close()
    return files


def _running_job(database_url: str, email: str) -> int:
    """A job row as a running import leaves it halfway (to look at the progress view)."""
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        uid = session.scalar(select(User.id).where(User.email == email))
        job = AnkiImport(user_id=uid, filename="collection-2026-03-01.colpkg", status="running",
                         stage="Opening the collection with Anki", percent=40, message="")
        session.add(job)
        session.commit()
        job_id = job.id
    engine.dispose()
    return job_id


def test_upload_flow_looks_finished_and_passes_axe(browser: Any, live_server: str, database_url: str, apkgs: dict[str, Path],
                                                   artifacts: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.apkg"
    bogus.write_bytes(b"not a zip file")
    for viewport, size in VIEWPORTS.items():
        email = f"anki-{viewport}@example.com"
        context = browser.new_context(viewport=size)
        page = context.new_page()
        signup(page, live_server, email=email)
        page.goto(f"{live_server}/progress")
        panel = page.locator("#anki")
        assert panel.get_by_role("heading", name="Studied in Anki? Bring your answers here").is_visible()
        look(page, artifacts, f"anki-panel-{viewport}", shots={f"anki-panel-{viewport}": panel})

        page.get_by_label("Anki export (.apkg or .colpkg)").set_input_files(str(bogus))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_load_state()
        assert page.get_by_role("alert").filter(has_text="This is not an Anki package").is_visible()
        look(page, artifacts, f"anki-refused-{viewport}")

        page.get_by_label("Anki export (.apkg or .colpkg)").set_input_files(str(apkgs[viewport]))
        page.get_by_role("button", name="Upload and import").click()
        page.wait_for_load_state()
        page.get_by_role("heading", name="Imported 12 answers").wait_for()
        look(page, artifacts, f"anki-result-{viewport}")

        page.goto(f"{live_server}/progress/anki/{_running_job(database_url, email)}")
        assert page.get_by_role("heading", name="Importing…").is_visible()
        look(page, artifacts, f"anki-running-{viewport}")

        page.goto(f"{live_server}/progress")
        assert "12 answers from Anki so far" in page.locator("#anki").inner_text()
        look(page, artifacts, f"anki-progress-{viewport}", axe=(),
             shots={f"anki-panel-synced-{viewport}": page.locator("#anki"), f"anki-progress-{viewport}": page})
        context.close()


def test_an_upload_waiting_for_a_worker_says_so_and_passes_axe(browser: Any, app_config: dict[str, Any],
                                                               redis_url: str, apkgs: dict[str, Path],
                                                               artifacts: Path) -> None:
    """With REDIS_URL and no worker running yet, the job page shows the upload waiting, not failed."""
    application = create_app({**app_config, "WTF_CSRF_ENABLED": True, "REDIS_URL": redis_url,
                              "ANKI_FOREGROUND_SECONDS": 0.0})
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        for viewport, size in VIEWPORTS.items():
            context = browser.new_context(viewport=size)
            page = context.new_page()
            signup(page, base, email=f"queued-{viewport}@example.com")
            page.goto(f"{base}/progress")
            page.get_by_label("Anki export (.apkg or .colpkg)").set_input_files(str(apkgs[viewport]))
            page.get_by_role("button", name="Upload and import").click()
            page.wait_for_load_state()
            assert page.get_by_role("heading", name="Importing…").is_visible()
            assert page.get_by_role("status").filter(has_text="Waiting for a worker").is_visible()
            look(page, artifacts, f"anki-queued-{viewport}")
            context.close()
    finally:
        server.shutdown()
        thread.join(timeout=5)
        application.extensions["db_engine"].dispose()
