"""The app as the 4-worker tests serve it under gunicorn: production settings, test database, cheap argon2.

Read from the environment the test sets: DATABASE_URL, SECRET_KEY, REDIS_URL, RATELIMIT_KEY_PREFIX.
"""

from __future__ import annotations

import os

from webapp import create_app

app = create_app({
    "DATABASE_URL": os.environ["DATABASE_URL"],
    "SECRET_KEY": os.environ["SECRET_KEY"],
    "REDIS_URL": os.environ.get("REDIS_URL", ""),
    "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", "msc"),
    "DEMO_DATA": False,
    "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
})
