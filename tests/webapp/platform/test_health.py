"""The health endpoint and the landing page answer over a real database."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_healthz_reports_database_ok(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_home_lists_modules(app: Flask, client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b"Endangerment sites" in response.data
    assert b'href="/signup"' in response.data  # the way in for a newcomer
    # Counts come from the bank, so generated questions are included.
    count = len(app.extensions["bank"].by_module("endangerment-sites"))
    assert f"{count} questions".encode() in response.data


def test_unknown_page_is_a_friendly_404(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"There is nothing at this address" in response.data
