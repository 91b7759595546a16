"""How responses leave the app: compression, long-cached static files, structured request logs.

- Text responses (HTML, CSS, JS, JSON, CSV, SVG) are compressed with Brotli or
  gzip, as the client accepts (Flask-Compress).
- Static files are cached for a year: every `url_for('static', ...)` carries a
  `v=` parameter with a hash of the file's content, so a changed file gets a
  new URL and a stale copy is never used.
- With REQUEST_LOG on (production), each request writes one JSON line to the
  `webapp.requests` logger: method, path, status, duration and user id. Never
  the query string, a form field or a header: those may hold answers or secrets.
"""

from __future__ import annotations

import hashlib
import json
import logging
import stat
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, request
from flask_compress import Compress

from webapp.platform.models import User

REQUEST_LOG = logging.getLogger("webapp.requests")
STATIC_MAX_AGE = 365 * 24 * 3600
compress = Compress()


@lru_cache(maxsize=256)
def _digest(path: Path, mtime_ns: int) -> str:
    # Keyed by modification time too, so an edited file (in development) gets a new hash.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=256)
def _inside(static_folder: str, filename: str) -> Path | None:
    # Resolving walks every folder of the path (a tenth of a millisecond, four
    # times a page); where a name points does not change while we run.
    root = Path(static_folder).resolve()
    path = (root / filename).resolve()
    return path if root in path.parents else None


def static_version(static_folder: str, filename: str) -> str | None:
    """A short hash of the static file's content, or None when there is no such file."""
    path = _inside(static_folder, filename)
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return _digest(path, status.st_mtime_ns) if stat.S_ISREG(status.st_mode) else None


def _version_static_urls(app: Flask) -> None:
    @app.url_defaults
    def _add_version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and app.static_folder:
            version = static_version(app.static_folder, str(values.get("filename", "")))
            if version:
                values["v"] = version


def _buffer_static_files(app: Flask) -> None:
    # A static file is sent as a streamed file wrapper. Flask-Compress would wrap
    # that stream in its own generator and the file would never be closed, so
    # read it into memory first (our files are at most a few hundred KB):
    # `make_sequence` keeps the file's close for when the response closes, and
    # the now-buffered body is compressed whole. Registered after Flask-Compress,
    # so it runs before it (after-request hooks run in reverse order).
    @app.after_request
    def _buffer(response: Response) -> Response:
        if request.endpoint == "static" and response.is_streamed:
            response.direct_passthrough = False
            response.make_sequence()
        return response


def _long_cache_for_versioned(app: Flask) -> None:
    # Only a URL that names the content (`?v=`) may be cached for a year; a
    # bare static URL keeps Flask's revalidation, so an old copy is never used.
    def max_age(filename: str | None) -> int | None:
        return STATIC_MAX_AGE if request.args.get("v") else None

    app.get_send_file_max_age = max_age  # type: ignore[method-assign]


def _log_requests(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        started = g.get("request_started")
        user = g.get("_login_user")  # set by Flask-Login only if the request used it; never loaded here
        REQUEST_LOG.info(json.dumps({
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
            # type(), not isinstance or getattr: those go through a proxy, and a proxy that a
            # view logged in resolves to itself, so reading it recursed into a 500.
            "user": user.id if type(user) is User else None,
        }))
        return response


def init_app(app: Flask) -> None:
    """Compression, versioned long-cached static URLs, and (with REQUEST_LOG) request logs."""
    compress.init_app(app)
    _buffer_static_files(app)
    _version_static_urls(app)
    _long_cache_for_versioned(app)
    if app.config.get("REQUEST_LOG"):
        _log_requests(app)
