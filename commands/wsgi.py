"""The WSGI entry point for any server: `gunicorn 'commands.wsgi:app'`.

Configuration comes only from the environment (DATABASE_URL, REDIS_URL,
SECRET_KEY, REQUEST_LOG, …). Run `massage-course migrate` (or `serve` once)
before the first start; this module does not migrate, so several servers can
start at once.
"""

from __future__ import annotations

from commands.serve import build_app

app = build_app()
