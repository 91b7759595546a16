"""An exception the app raises on purpose reaches the person as its own message, with its status."""

from __future__ import annotations

from flask import Flask

from webapp.platform.errors import WebappError
from webapp.records.scoring import ReviewError


class _Gone(WebappError):
    status = 410


def test_an_uncaught_webapp_error_shows_its_message_and_status(app: Flask) -> None:
    @app.get("/refuse")
    def refuse() -> str:
        raise ReviewError("Choose <Again>, Hard, Good or Easy.")

    @app.get("/gone")
    def gone() -> str:
        raise _Gone("That exam has ended.")

    client = app.test_client()
    refused = client.get("/refuse")
    assert refused.status_code == 400
    assert b"Choose &lt;Again&gt;, Hard, Good or Easy." in refused.data  # escaped, and not the generic 500 text
    assert b"Something went wrong" not in refused.data
    ended = client.get("/gone")
    assert ended.status_code == 410 and b"That exam has ended." in ended.data


def test_a_webapp_error_without_a_message_shows_the_status_text(app: Flask) -> None:
    @app.get("/bare")
    def bare() -> str:
        raise WebappError()

    response = app.test_client().get("/bare")
    assert response.status_code == 400 and b"The request could not be understood." in response.data
