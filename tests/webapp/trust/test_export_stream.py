"""Issue 27, item 3: `/account/export.json` streams a large history and is limited per learner.

The issue's learner with a million answers got a 741 MB download that pushed
the worker to 8.9 GB: the whole document was built in memory first. Here a
learner with 20,000 answers downloads it while `tracemalloc` watches the
worker's Python allocations, and a learner who asks again and again is
refused without touching anyone else's allowance.

The test reads the answers 100 at a time (not the app's 500) so that 40 chunks take 4,000 answers, each
carrying a 2,000-character note: a document over 8 MB from a fifth of the rows, still held one chunk at a time.
"""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert

from tests.webapp.helpers import signup, user_id
from webapp.accounts.profile import export
from webapp.platform.db import get_session
from webapp.platform.models import Review

CHUNK = 100
ANSWERS = 40 * CHUNK
NOTE = 2_000  # characters of each answer's note: 4,000 answers make a document of over 8 MB
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)


def _history(app: Flask, uid: int, count: int) -> None:
    item = next(iter(app.extensions["bank"])).id
    rows = [{"user_id": uid, "item_id": item, "presentation_id": f"bulk-{uid}-{n}",
             "reviewed_at": T0 + dt.timedelta(minutes=n), "response": {"choice": "a", "note": "x" * NOTE},
             "result": "correct", "score": 1.0, "rating": 3, "response_ms": 4000, "attempt": n + 1, "state_before": 2,
             "unsafe_chosen": False, "source": "web", "module": "m", "card_before": {"state": 2, "stability": 1.5}}
            for n in range(count)]
    with app.app_context():
        session = get_session()
        session.execute(insert(Review), rows)
        session.commit()


def test_a_large_export_streams_in_bounded_memory(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export, "CHUNK", CHUNK)
    client = app.test_client()
    signup(client)
    _history(app, user_id(app, "ada@example.com"), ANSWERS)
    saved = tmp_path / "export.json"
    tracemalloc.start()
    try:
        response = client.get("/account/export.json", buffered=False)
        assert response.status_code == 200 and response.is_streamed
        with saved.open("wb") as disk:  # written piece by piece and never held, as a browser saving to disk
            for piece in response.response:
                disk.write(piece.encode() if isinstance(piece, str) else piece)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = saved.stat().st_size
    assert size > 8 * 1024 * 1024  # the document is over 8 MB...
    print(f"export of {size / 2**20:.1f} MB: peak {peak / 2**20:.1f} MB")
    assert peak < 6 * 1024 * 1024, f"the worker allocated {peak / 2**20:.1f} MB at its peak"  # ...never held whole
    abandoned = client.get("/account/export.json", buffered=False)
    next(iter(abandoned.response))
    abandoned.close()  # a browser that gives up after the first piece
    assert app.extensions["db_engine"].pool.checkedout() == 0  # neither download kept a connection
    # The streamed document itself is read back, so the rows are checked without a third download.
    data = json.loads(saved.read_bytes())
    assert len(data["reviews"]) == ANSWERS and data["reviews"][-1]["attempt"] == ANSWERS
    assert data["account"]["email"] == "ada@example.com" and data["item_states"] == []


def test_the_export_is_limited_per_learner(make_app: Callable[..., Flask], app_config: dict[str, Any]) -> None:
    app = make_app(dict(app_config, RATELIMIT_ENABLED=True, ACCOUNT_EXPORT_LIMIT="2 per hour"))
    ada, bo = app.test_client(), app.test_client()
    signup(ada)
    signup(bo, email="bo@example.com", name="Bo")
    assert [ada.get("/account/export.json").status_code for _ in range(3)] == [200, 200, 429]
    refused = ada.get("/account/export.json")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert bo.get("/account/export.json").status_code == 200  # same address, another learner: not refused
