"""`massage-course worker`: run background jobs (Anki imports, snapshot refreshes, email) from Redis.

Configuration comes from the environment, as for `serve --production`
(DATABASE_URL, REDIS_URL, SECRET_KEY, …): the worker builds the same app once
and runs each job inside it. Start as many as the machine has spare cores, on
the same machine as the web servers (Anki uploads are files on its disk).
"""

from __future__ import annotations

import os

import click


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (for scripts and tests).")
@click.option("--name", default=None, help="The worker's name in Redis (default: host.pid).")
def worker_command(burst: bool, name: str | None) -> None:
    """Run jobs from the Redis queue until stopped (needs REDIS_URL)."""
    from commands.serve import build_app
    from webapp.platform.jobs import work

    app = build_app()
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without Redis, `massage-course serve` runs jobs itself.")
    click.echo(f"Massage Safety Course worker (pid {os.getpid()}) on {_safe(app.config['REDIS_URL'])}")
    work(app, burst=burst, name=name)


def _safe(url: str) -> str:
    """The Redis URL without its password, for the log."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{parts.scheme}://{host}{':' + str(parts.port) if parts.port else ''}{parts.path}"
