"""Log-in limits that slow a password guesser without locking the owner out.

Only failed log-ins count, in three moving windows:

- per account (the typed email, known or not, so the limit reveals nothing),
  for attempts from devices the account has not logged in from;
- per client address, generous, since a whole school may share one address;
- per account and known device: a device that logged in successfully before
  carries a signed `device` cookie (OWASP's "device cookie" scheme) and is
  judged by its own failures only, so a guesser elsewhere cannot lock out the
  owner on their own phone or laptop.

When a window is full the password is not even checked until it moves on.
If the store is unreachable the limit is skipped and the error logged: people
can still log in, and argon2 still makes each guess slow.
The counters live in REDIS_URL when set, so every worker shares them;
otherwise in this process's memory (enough for the single-process `serve`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.wrappers import Response

ACCOUNT_FAILURES = parse("10 per 15 minutes")
ADDRESS_FAILURES = parse("100 per 15 minutes")
DEVICE_FAILURES = parse("10 per 15 minutes")
DEVICE_MAX_AGE = dt.timedelta(days=365)
BLOCKED_MESSAGE = (
    "Too many failed log-ins for this account or network. Wait 15 minutes and try again, "
    "or log in from a device you have used here before."
)


def device_cookie_name() -> str:
    """`__Host-device` over HTTPS (Secure, whole site, no domain), `device` otherwise."""
    return "__Host-device" if current_app.config.get("SESSION_COOKIE_SECURE") else "device"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="login-device")


def _known_device(user_id: int | None) -> str | None:
    """The device id in this request's device cookie when it was issued to `user_id`, else None."""
    raw = request.cookies.get(device_cookie_name())
    if user_id is None or not raw or len(raw) > 200:
        return None
    try:
        data = _serializer().loads(raw, max_age=int(DEVICE_MAX_AGE.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or not isinstance(data.get("d"), str):
        return None
    device: str = data["d"]
    return device


def remember_device(response: Response, user_id: int) -> None:
    """Mark this browser as a known device of `user_id` (after a successful log-in)."""
    token = _serializer().dumps({"u": user_id, "d": secrets.token_urlsafe(12)})
    response.set_cookie(
        device_cookie_name(), token, max_age=int(DEVICE_MAX_AGE.total_seconds()), path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax",
    )


@dataclass(frozen=True)
class LoginGuard:
    """The counters that apply to one log-in attempt: `email` typed, `user_id` if it names an account."""

    email: str
    user_id: int | None

    def _windows(self) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        device = _known_device(self.user_id)
        if device is not None:
            return [(DEVICE_FAILURES, ("login-device", str(self.user_id), device))]
        address = request.remote_addr or "unknown"
        return [
            (ACCOUNT_FAILURES, ("login-account", self.email[:254])),
            (ADDRESS_FAILURES, ("login-address", address)),
        ]

    def blocked(self) -> bool:
        """True when any window of this attempt is full (check before verifying the password)."""
        strategy = _strategy()
        if strategy is None:
            return False
        try:
            return any(not strategy.test(item, _prefix(), *keys) for item, keys in self._windows())
        except Exception:  # the store is down: log in without the limit rather than fail (argon2 still slows guessing)
            current_app.logger.exception("log-in limit storage unavailable")
            return False

    def failed(self) -> None:
        """Count one failed attempt in each of its windows."""
        strategy = _strategy()
        if strategy is None:
            return
        try:
            for item, keys in self._windows():
                strategy.hit(item, _prefix(), *keys)
        except Exception:  # see `blocked`
            current_app.logger.exception("log-in limit storage unavailable")


def _prefix() -> str:
    return str(current_app.config["RATELIMIT_KEY_PREFIX"])


def _strategy() -> MovingWindowRateLimiter | None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return None
    strategy: MovingWindowRateLimiter = current_app.extensions["login_limits"]
    return strategy


def storage_uri(app: Flask) -> str:
    """Where the counters live: REDIS_URL when set (shared by workers), else process memory."""
    redis_url = str(app.config.get("REDIS_URL") or "")
    return redis_url if redis_url else "memory://"


def init_app(app: Flask) -> None:
    """Give `app` its own counter storage (tests build many apps in one process)."""
    app.extensions["login_limits"] = MovingWindowRateLimiter(storage_from_string(storage_uri(app)))
