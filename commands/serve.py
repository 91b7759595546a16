"""`massage-course serve`: migrate the database, load the course, start the server.

Two modes over the same app factory:
- the default (`make run`): one waitress process with a thread pool, SQLite by
  default, demo data on an empty database;
- `--production`: gunicorn with several worker processes (the app is built
  once in the master and forked, `preload`), configuration only from the
  environment (DATABASE_URL, REDIS_URL, SECRET_KEY, …), one JSON log line per
  request, no demo data. Put it behind a reverse proxy that terminates TLS.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from typing import Any

import click
from flask import Flask

# waitress warns "Task queue depth is N" whenever requests wait for a thread.
# Under load that is the normal back-pressure of a bounded pool (the threads are
# sized below), not an error, and it floods the log tens of thousands of times.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def build_app(config: dict[str, Any] | None = None) -> Flask:
    """The app with the Anki deck builder handed in (webapp may not import decks).

    With MASSAGE_COURSE_PUBLIC_URL set, the decks' Lesson field links to the
    lesson pages of this site. DECK_VERSION (the note ledger's and the card
    templates' hash) keys the app's deck cache. The Anki add-on's note feed
    and its `.ankiaddon` builder are handed in the same way.

    Raises:
        DecksError: the note ledger (`decks/notes.lock`) is out of date with
            the content; the message names the command that brings it up to date.
    """
    from anki_addon.build import addon_bytes
    from decks import ledger as note_ledger
    from decks.feed import note_feed
    from decks.package import bank_digests, build_package
    from webapp import create_app

    path = note_ledger.LEDGER_PATH
    ledger = note_ledger.Ledger.load(path)
    public_url = os.environ.get("MASSAGE_COURSE_PUBLIC_URL") or None
    # The builder and the feed get the ledger checked below, never a later re-read of the file.
    builder = functools.partial(build_package, ledger=ledger, public_url=public_url)
    feed = functools.partial(note_feed, ledger=ledger, public_url=public_url)
    version = hashlib.sha256(ledger.dumps().encode() + (public_url or "").encode()).hexdigest()[:12]
    app = create_app({"DECK_BUILDER": builder, "DECK_VERSION": version, "ANKI_NOTE_FEED": feed,
                      "ADDON_BUILDER": addon_bytes, **(config or {})})
    ledger.require_current(bank_digests(app.extensions["bank"]), str(path))
    return app


# Threads per gunicorn worker: the app is CPU-bound Python, so more threads only
# contend for the GIL and, on SQLite, queue on its one write lock. Measured with
# benchmarks/bench_serving.py (RESULTS.md): 2 x 2 against 2 x 8 on the 2,000-student
# school gave GET next 400 against 100-290 req/s and a POST p99 of 0.14 s against 1.1-1.8 s.
PRODUCTION_THREADS = 2
# waitress (`make run`) is one process: its threads also carry slow clients.
WAITRESS_THREADS = 8


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", type=click.IntRange(min=1), show_default="8; 2 with --production",
              help="Threads per process.")
@click.option("--production", is_flag=True, help="gunicorn with several worker processes, request logs, no demo.")
@click.option("--workers", default=(os.cpu_count() or 1) * 2, show_default="2 x cores", type=int,
              help="Worker processes (--production only).")
def serve_command(host: str, port: int, threads: int | None, production: bool, workers: int) -> None:
    """Create or migrate the database, validate the course and serve the app."""
    from webapp.platform.migrate import upgrade
    from webapp.tools.synthetic.demo import ensure_demo

    # A content or bank error propagates to the command group, which prints it.
    app = build_app({"REQUEST_LOG": True} if production else None)
    upgrade(app.config["DATABASE_URL"])
    if production:
        if app.config["REDIS_URL"]:
            click.echo("Background jobs go to Redis: run `massage-course worker` beside this server.")
        _serve_gunicorn(app, host, port, workers, threads or PRODUCTION_THREADS)
        return
    threads = threads or WAITRESS_THREADS
    demo_logins = ensure_demo(app)
    if demo_logins:
        click.echo("Demo logins (demo data; switch off with DEMO_DATA=0):")
        click.echo("\n".join(demo_logins))
    from waitress import serve

    click.echo(f"Massage Safety Course is running at http://{host}:{port}/  (Ctrl+C to stop)")
    # The connection limit bounds sockets held open; the threads do the work.
    serve(app, host=host, port=port, threads=threads, connection_limit=max(100, threads * 16),
          ident="massage-course")


def _serve_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn is untyped
        def load_config(self) -> None:
            settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                        "worker_class": "gthread" if threads > 1 else "sync", "preload_app": True,
                        "accesslog": None, "errorlog": "-", "timeout": 60, "graceful_timeout": 20}
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return app

    _configure_request_log()
    # The master built the app (and its engine) before forking: close its connections now, so each worker
    # opens its own and none is shared or left open for the garbage collector.
    app.extensions["db_engine"].dispose()
    click.echo(f"Massage Safety Course (production, {workers} workers) on http://{host}:{port}/")
    _Server().run()


def _configure_request_log() -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("webapp.requests")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
