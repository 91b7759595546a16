"""How responses leave the app: the bare ceiling, compression, versioned static files, request logs."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_ping_touches_neither_database_nor_session(app: Flask, client: FlaskClient) -> None:
    engine = app.extensions["db_engine"]
    engine.dispose()
    checked_out_before = engine.pool.checkedout()
    response = client.get("/ping")
    assert response.status_code == 200 and response.data == b"pong"
    assert engine.pool.checkedout() == checked_out_before
    assert "Set-Cookie" not in response.headers, "the bare endpoint must not start a session"


def test_text_is_compressed_for_clients_that_accept_it(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert page.headers.get("Content-Encoding") == "br"
    plain = client.get("/", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert len(page.data) < len(plain.data) / 2


def test_static_urls_carry_a_content_hash_and_are_cached_long(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/site\.css\?v=([0-9a-f]{12}))"', html)
    assert match, "the stylesheet URL has no content version"
    with client.get(match.group(1)) as response:
        assert response.status_code == 200
        assert "max-age=31536000" in response.headers["Cache-Control"]
    with client.get("/static/site.css") as unversioned:
        assert "max-age=31536000" not in unversioned.headers.get("Cache-Control", ""), "a bare URL must revalidate"


def test_request_log_is_one_json_line_without_query_or_form(app_config: dict[str, Any], make_app: Callable[..., Flask],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    app = make_app({**app_config, "REQUEST_LOG": True})
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="webapp.requests"):
        client.get("/lessons/?secret-answer=medial")
        client.post("/login", data={"email": "a@example.com", "password": "hunter2-hunter2"})
    lines = [json.loads(record.getMessage()) for record in caplog.records if record.name == "webapp.requests"]
    assert [(line["method"], line["path"], line["status"]) for line in lines] == [
        ("GET", "/lessons/", 200), ("POST", "/login", 400)]
    assert all(isinstance(line["ms"], float) for line in lines)
    text = caplog.text
    assert "secret-answer" not in text and "hunter2" not in text and "a@example.com" not in text


def test_static_files_are_compressed_and_their_files_closed(live_server: str) -> None:
    # Through a real WSGI server: a leaked file handle would surface as a
    # ResourceWarning (when the response is freed), which the test settings turn into a failure.
    import requests

    for _ in range(3):
        response = requests.get(f"{live_server}/static/site.css", headers={"Accept-Encoding": "br, gzip"}, timeout=10)
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == "br"
        assert b"{" in response.content  # requests decodes Brotli when brotli is installed; else raw bytes
