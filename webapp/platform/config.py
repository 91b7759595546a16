"""Every setting of the app with its default, in one place; the environment and the factory's caller override them.

`default_config` gives the defaults (reading the environment where a deployment
sets a value); `finish_config` fills the settings derived from others once every
override is in. A feature reads `app.config[NAME]` and never carries a default
of its own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any


def default_config(instance_path: str) -> dict[str, Any]:
    """Defaults: SQLite under `instance/`, demo data on, a per-instance secret key."""
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or _instance_secret(Path(instance_path)),
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(instance_path) / 'massage-course.sqlite3'}",
        # Demo accounts have a published password: on by default only for the
        # default SQLite file, never for a DATABASE_URL unless DEMO_DATA=1 (see synthetic.demo).
        "DEMO_DATA": demo_data_setting(os.environ.get("DEMO_DATA"), bool(os.environ.get("DATABASE_URL"))),
        "INSTRUCTOR_INVITE_CODE": os.environ.get("INSTRUCTOR_INVITE_CODE", ""),
        "SAFETY_RETENTION": 0.95,
        "DEFAULT_RETENTION": 0.90,
        "DEFAULT_NEW_LIMIT": 20,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,  # a form left open over lunch still submits
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "REQUEST_LOG": os.environ.get("REQUEST_LOG", "0") in {"1", "true", "yes"},
        # What happens to a learner's answers when they delete their account:
        # "delete" removes them; "anonymise" keeps them under a nameless account
        # so the class's figures do not change (webapp/accounts/profile/deletion.py).
        "ACCOUNT_DELETION": os.environ.get("ACCOUNT_DELETION", "delete"),
        "PASSWORD_RESET_HOURS": 24,  # how long an instructor's reset link works
        # Account and class bounds
        "ROSTER_UNDO_MINUTES": 10,  # how long "add back" and "restore the code" stay offered after the change
        # Wrong join codes (a 400) count against these, per account and per client address (a school shares one).
        "JOIN_LIMIT_PER_ACCOUNT": "10 per 15 minutes",
        "JOIN_LIMIT_PER_ADDRESS": "100 per 15 minutes",
        # https: HSTS, Secure and __Host- cookies (webapp.platform.security); PROXY_COUNT: trusted proxies in front.
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT") or 0),
        # Log-in limits are shared by every worker through Redis when set (webapp.accounts.auth.limits).
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Rate limits (Flask-Limiter and the log-in limits): tests switch them off; RATELIMIT_STORAGE_URI
        # follows REDIS_URL (`finish_config`). An unreachable Redis must not turn sign-up into a 500:
        # the limit counts in memory instead (below).
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "msc",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Limits when Redis is slow or away
        # Every Redis client the app makes (log-in limits, Flask-Limiter, instructor snapshots) gives up
        # after REDIS_TIMEOUT_SECONDS; the limits then count in this process's memory and try Redis again
        # after REDIS_RETRY_SECONDS (Flask-Limiter: its own growing interval). RATELIMIT_STORAGE_OPTIONS
        # follows REDIS_TIMEOUT_SECONDS unless set (`webapp.platform.extensions.redis_options`).
        "REDIS_TIMEOUT_SECONDS": 0.25,
        "REDIS_RETRY_SECONDS": 5.0,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # argon2id parameters; None: the library's current recommendation (tests set cheap ones).
        "ARGON2_PARAMETERS": None,
        # Instructor pages' per-class snapshots in Redis, seconds (0: off).
        "INSTRUCTOR_SNAPSHOT_SECONDS": 60,
        # Anki uploads: what a learner may upload, what it may unpack to (zip-bomb bound), and how long
        # the upload waits before the import continues in the background with progress shown.
        "ANKI_MAX_UPLOAD_BYTES": 100 * 1024 * 1024,
        "ANKI_MAX_UNPACKED_BYTES": 256 * 1024 * 1024,
        "ANKI_FOREGROUND_SECONDS": 1.0,
        # Anki import and data export bounds
        # The upload is read in a child process (webapp/ankisync/sandbox.py) with these limits; the
        # unpacked collection is also capped for any file it writes (RLIMIT_FSIZE = ANKI_MAX_UNPACKED_BYTES).
        "ANKI_IMPORT_MEMORY_BYTES": 512 * 1024 * 1024,
        "ANKI_IMPORT_CPU_SECONDS": 20,
        "ANKI_IMPORT_WALL_SECONDS": 60.0,
        # A file with more of our answers than this, or more on one note, is refused before Anki opens it.
        "ANKI_MAX_ANSWERS_PER_UPLOAD": 20_000,
        "ANKI_MAX_ANSWERS_PER_NOTE": 300,
        # New answers a learner's imports may add in any 24 hours; beyond, the oldest are added, the rest next day.
        "ANKI_MAX_ANSWERS_PER_DAY": 20_000,
        # Answers replayed per write transaction, so other learners' answers never wait long on an import.
        "ANKI_IMPORT_BATCH_ROWS": 100,
        # Guards on imported answers (`webapp.ankisync.guards`): answers dated more than this after the
        # import are refused as in the future; more answers than this in any minute no person gives.
        "ANKI_CLOCK_SKEW_SECONDS": 300,
        "ANKI_MAX_ANSWERS_PER_MINUTE": 40,
        # Uploads one learner may start in the window (each unpacks and opens a collection), per learner,
        # not per address: a classroom behind one NAT shares an address.
        "ANKI_UPLOADS_PER_WINDOW": 10,
        "ANKI_UPLOAD_WINDOW_SECONDS": 600,
        # /account/export.json streams; each learner may download it this often (Flask-Limiter syntax).
        "ACCOUNT_EXPORT_LIMIT": "5 per hour",
        # Deck downloads: the build cache ("" means `<instance>/decks`), the note-ledger version that names
        # it, and the builder `commands` injects (`decks.build_package`; None: no downloads are built).
        "DECK_CACHE_DIR": os.environ.get("DECK_CACHE_DIR", ""),
        "DECK_VERSION": "",
        "DECK_BUILDER": None,
        # Compression of responses (Flask-Compress).
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/csv", "text/plain", "application/javascript", "text/javascript",
            "application/json", "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        # The validated course; None: load the packaged one (tests pass a small course).
        "COURSE": None,
    }


def finish_config(config: dict[str, Any]) -> None:
    """Fill the settings derived from others, after every override is in."""
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")


def demo_data_setting(setting: str | None, database_url_set: bool) -> bool:
    """DEMO_DATA=1 switches the demo on, DEMO_DATA=0 off; unset: on only for the default SQLite file."""
    if setting is not None and setting.strip():
        return setting.strip().lower() not in {"0", "false", "no", "off"}
    return not database_url_set


def _instance_secret(instance: Path) -> str:
    # Kept in the instance folder so sessions survive restarts without a
    # secret ever being committed.
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
