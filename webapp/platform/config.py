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
from urllib.parse import parse_qs, unquote, urlsplit


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
        # Background jobs (webapp/platform/jobs.py): with REDIS_URL they go to `massage-course worker`.
        # A job that raises runs again after each of these waits; a worker's death also uses one of them.
        "JOBS_RETRY_SECONDS": _seconds_list(os.environ.get("JOBS_RETRY_SECONDS"), [10, 60, 300]),
        "JOBS_TIMEOUT_SECONDS": 30 * 60,  # a job still running after this is stopped and counts as failed
        "JOBS_KEEP_SECONDS": 24 * 60 * 60,  # how long a finished or failed job's status stays readable
        # A worker renews a running job's heartbeat every JOBS_HEARTBEAT_SECONDS; a job without one for
        # JOBS_ABANDONED_AFTER_SECONDS more is taken to be a dead worker's, and the next maintenance round
        # (every JOBS_MAINTENANCE_SECONDS, in any worker) queues it again.
        "JOBS_HEARTBEAT_SECONDS": int(os.environ.get("JOBS_HEARTBEAT_SECONDS") or 30),
        "JOBS_ABANDONED_AFTER_SECONDS": int(os.environ.get("JOBS_ABANDONED_AFTER_SECONDS") or 60),
        "JOBS_MAINTENANCE_SECONDS": int(os.environ.get("JOBS_MAINTENANCE_SECONDS") or 60),
        # Instructor pages' per-class snapshots in Redis, seconds (0: off).
        "INSTRUCTOR_SNAPSHOT_SECONDS": 60,
        # Older figures are still shown for this long while a background job computes new ones.
        "INSTRUCTOR_SNAPSHOT_STALE_SECONDS": 10 * 60,
        # Anki uploads: what a learner may upload, what it may unpack to (zip-bomb bound), and how long
        # the upload waits before the import continues in the background with progress shown.
        "ANKI_MAX_UPLOAD_BYTES": 100 * 1024 * 1024,
        "ANKI_MAX_UNPACKED_BYTES": 256 * 1024 * 1024,
        "ANKI_FOREGROUND_SECONDS": 1.0,
        # Where uploads wait for their import ("": the system's temporary folder). A worker reads them from
        # this machine's disk, so workers run on the web servers' machine, or this is a folder they share.
        "ANKI_UPLOAD_DIR": os.environ.get("ANKI_UPLOAD_DIR", ""),
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
        # The Anki add-on's API (/api/v1/anki/...): requests per personal token (Flask-Limiter syntax), answers
        # one push may carry (how far ahead an answer may be dated is ANKI_CLOCK_SKEW_SECONDS, as for an upload).
        "ANKI_API_LIMIT": "60 per minute",
        "ANKI_API_MAX_REVIEWS": 5_000,
        # Personal tokens a learner may hold at once (one per device is the idea).
        "SYNC_TOKENS_PER_USER": 10,
        # The course's notes as the add-on receives them: `commands` injects `decks.feed.note_feed`
        # (webapp may not import decks); None: the add-on's note endpoints answer 503.
        "ANKI_NOTE_FEED": None,
        # The add-on's `.ankiaddon` file as bytes: `commands` injects `anki_addon.build.addon_bytes`; None: /decks/
        # does not offer it.
        "ADDON_BUILDER": None,
        # Compression of responses (Flask-Compress).
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/csv", "text/plain", "application/javascript", "text/javascript",
            "application/json", "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        # The validated course; None: load the packaged one (tests pass a small course).
        "COURSE": None,
        # Where authors read a content file, for the link on a question report: a URL with `{path}` (from
        # `course/content/`) and `{line}`, e.g. "https://github.com/org/repo/blob/main/{path}#L{line}";
        # "" shows the file and line as text only.
        "CONTENT_SOURCE_URL": os.environ.get("CONTENT_SOURCE_URL", ""),
        # Outgoing email (Flask-Mailman, webapp.platform.mail). MAIL_URL is one SMTP URL,
        # smtp://user:password@host:587?tls=1 (tls=1: STARTTLS; smtps:// or ssl=1: TLS from the start);
        # or set MAIL_SERVER, MAIL_PORT, MAIL_USERNAME, MAIL_PASSWORD, MAIL_USE_TLS, MAIL_USE_SSL one by one.
        # With neither, every message is printed to the server log (the console backend), so a
        # development server needs no mail server.
        "MAIL_URL": os.environ.get("MAIL_URL", ""),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(os.environ.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _flag(os.environ.get("MAIL_USE_SSL")),
        "MAIL_TIMEOUT": 10,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Massage Safety Course <no-reply@localhost>"),
        # Links in messages start with this address, never with the request's Host header (a forged
        # Host would otherwise put its own domain in a password reset link); a deployment sets it.
        "SITE_URL": os.environ.get("SITE_URL", "http://localhost:5000"),
        # Email links: verification and email change last days, a password reset one hour.
        "EMAIL_VERIFY_HOURS": 72,
        "EMAIL_RESET_MINUTES": 60,
        # Per client address and per typed address (sign-up, reset) and per account (email change), POST only.
        "EMAIL_LIMIT_PER_ADDRESS": "30 per hour",
        "EMAIL_LIMIT_PER_EMAIL": "3 per hour",
        "EMAIL_LIMIT_PER_ACCOUNT": "5 per hour",
        # Study reminders: a learner's questions take about this many seconds each (for "about 6 minutes").
        "REMINDER_SECONDS_PER_QUESTION": 30,
        # The instructors' weekly digest goes out on this weekday (0 Monday) at this hour, in their zone.
        "DIGEST_WEEKDAY": 0,
        "DIGEST_HOUR": 8,
    }


def finish_config(config: dict[str, Any]) -> None:
    """Fill the settings derived from others, after every override is in."""
    config.setdefault("RATELIMIT_STORAGE_URI", config["REDIS_URL"] or "memory://")
    if config.get("MAIL_URL"):
        config.update(mail_settings(str(config["MAIL_URL"])))
    config.setdefault("MAIL_BACKEND", "smtp" if config.get("MAIL_SERVER") else "console")
    config.setdefault("MAIL_DEFAULT_SENDER", config["MAIL_SENDER"])


def mail_settings(url: str) -> dict[str, Any]:
    """Flask-Mailman's settings from one SMTP URL: smtp[s]://user:password@host:port?tls=1&ssl=0.

    Raises:
        ValueError: for a URL that is not smtp:// or smtps:// or names no host.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError(f"MAIL_URL must look like smtp://user:password@host:587?tls=1, not {parts.scheme}://…")
    query = parse_qs(parts.query)
    ssl = parts.scheme == "smtps" or _flag((query.get("ssl") or [""])[0])
    return {
        "MAIL_SERVER": parts.hostname,
        "MAIL_PORT": parts.port or (465 if ssl else 25),
        "MAIL_USERNAME": unquote(parts.username) if parts.username else None,
        "MAIL_PASSWORD": unquote(parts.password) if parts.password else None,
        "MAIL_USE_TLS": _flag((query.get("tls") or [""])[0]),
        "MAIL_USE_SSL": ssl,
    }


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def demo_data_setting(setting: str | None, database_url_set: bool) -> bool:
    """DEMO_DATA=1 switches the demo on, DEMO_DATA=0 off; unset: on only for the default SQLite file."""
    if setting is not None and setting.strip():
        return setting.strip().lower() not in {"0", "false", "no", "off"}
    return not database_url_set


def _seconds_list(setting: str | None, default: list[int]) -> list[int]:
    """A comma-separated list of whole seconds ("10,60,300"; "" or "0": none), or `default` when unset."""
    if setting is None:
        return default
    values = [int(part) for part in setting.split(",") if part.strip()]
    return [] if values == [0] else values


def _instance_secret(instance: Path) -> str:
    # Kept in the instance folder so sessions survive restarts without a
    # secret ever being committed.
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
