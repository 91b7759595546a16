"""The web app's base exception, and friendly error pages: a user never sees a traceback or a bare 500."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp.platform.db import rollback_session


class WebappError(Exception):
    """Base of every exception the web app raises on purpose; its message is for people.

    One that no view catches is shown on the error page with its message and its
    `status` (400 unless a subclass says otherwise), not as a crash.
    """

    status = 400


MESSAGES: dict[int, str] = {
    400: "The request could not be understood.",
    403: "You do not have access to that page.",
    404: "There is nothing at this address.",
    405: "That action is not allowed here.",
    413: "What you sent is too large.",
    429: "Too many attempts. Please wait a minute and try again.",
    500: "Something went wrong on our side. Your earlier answers are safe.",
}


def _render(code: int, message: str | None = None) -> ResponseReturnValue:
    # A failed statement leaves the request's session unusable; the page's nav
    # loads the user again, so roll back first or the error page itself fails.
    rollback_session()
    return render_template("error.html", code=code, message=message or MESSAGES.get(code, "Error")), code


def init_app(app: Flask) -> None:
    """Register handlers for HTTP errors, stale CSRF tokens and crashes."""

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> ResponseReturnValue:
        return _render(400, "This form has expired or was already sent. Please reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        return _render(code)

    @app.errorhandler(WebappError)
    def _refused(error: WebappError) -> ResponseReturnValue:
        app.logger.info("refused: %s", error)
        return _render(error.status, str(error) or None)

    @app.errorhandler(Exception)
    def _crash(error: Exception) -> ResponseReturnValue:
        app.logger.exception("unhandled error", exc_info=error)
        return _render(500)
