"""Log-in limits that slow a password guesser and cannot be aimed at the owner.

Failed log-ins are counted per key, and past a key's free allowance each next
attempt waits a delay that doubles up to a short cap (`Rule`), never a wall:

- per account (the typed email, known or not, so the limit reveals nothing), for
  attempts from devices the account has not logged in from: 10 free, then 15 s
  doubling to at most 60 s;
- per client address, since a whole school may share one: 100 free, then 1 s
  doubling to at most 5 s, so one address's failures delay a first log-in of
  another account there by seconds, not minutes;
- per account and known device: a browser that logged in before carries a
  signed `device` cookie (OWASP's "device cookie" scheme) and is judged by its
  own failures only, so no guesser elsewhere can delay the owner there.

While a key waits the password is not even checked. Checking and counting are
one atomic step (`_Counters.begin`: a Lua script in Redis, a lock in memory):
the attempt is counted before its password is verified and uncounted if it
succeeds, so concurrent guesses cannot all pass a check made before any counts.
Counters live in REDIS_URL when set, so every worker shares them, with
timeouts on every call; while Redis does not answer (stopped, paused, slow)
they live in this process's memory and Redis is tried again after
REDIS_RETRY_SECONDS, so the limit still counts and no request waits on Redis.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import redis
from flask import Flask, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from webapp.platform.extensions import redis_options


@dataclass(frozen=True)
class Rule:
    """`free` failures without delay; then the n-th extra waits `first` * 2**n seconds, at most `cap`."""

    free: int
    first: float
    cap: float

    def delay(self, count: int) -> float:
        """Seconds the attempt after the `count`-th counted one must wait."""
        if count < self.free:
            return 0.0
        return min(self.first * 2.0 ** min(count - self.free, 32), self.cap)


ACCOUNT_RULE = Rule(free=10, first=15.0, cap=60.0)
ADDRESS_RULE = Rule(free=100, first=1.0, cap=5.0)
DEVICE_RULE = Rule(free=10, first=15.0, cap=60.0)
WINDOW_SECONDS = 15 * 60  # a key is forgotten this long after its last counted attempt
DEVICE_MAX_AGE_SECONDS = 365 * 24 * 3600
BLOCKED_MESSAGE = (
    "Too many failed log-ins for this account or network. Try again in {seconds} seconds, "
    "or log in from a device you have used here before."
)


def now() -> float:
    """The time the counters use (Unix seconds; every worker's clock is the machine's)."""
    return time.time()


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
        data = _serializer().loads(raw, max_age=DEVICE_MAX_AGE_SECONDS)
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
        device_cookie_name(), token, max_age=DEVICE_MAX_AGE_SECONDS, path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True, samesite="Lax",
    )


Marks = list[tuple[str, str, str]]  # per counted key: (key, its delay before, the delay this attempt set)


@dataclass
class Attempt:
    """One log-in attempt's place in its counters: refused (`wait` > 0) or counted until `succeeded`."""

    wait: float = 0.0
    marks: Marks = field(default_factory=list)
    undo: Callable[[Marks], None] | None = None

    @property
    def refused(self) -> bool:
        """True when a counter still waits: the password must not be checked."""
        return self.wait > 0

    @property
    def wait_seconds(self) -> int:
        """The wait rounded up to whole seconds, for the message and Retry-After."""
        return max(1, math.ceil(self.wait))

    def succeeded(self) -> None:
        """Uncount this attempt (the password was right), restoring a delay it set if no later one did."""
        if self.undo is not None and self.marks:
            self.undo(self.marks)
        self.marks = []


@dataclass(frozen=True)
class LoginGuard:
    """The counters that apply to one log-in attempt: `email` typed, `user_id` if it names an account."""

    email: str
    user_id: int | None

    def keys(self) -> list[tuple[str, Rule]]:
        """The counters of this attempt: its known device's alone, or the account's and the address's."""
        prefix = str(current_app.config["RATELIMIT_KEY_PREFIX"])
        device = _known_device(self.user_id)
        if device is not None:
            return [(f"{prefix}:login-device:{self.user_id}:{device}", DEVICE_RULE)]
        address = request.remote_addr or "unknown"
        return [(f"{prefix}:login-account:{self.email[:254]}", ACCOUNT_RULE),
                (f"{prefix}:login-address:{address}", ADDRESS_RULE)]

    def begin(self) -> Attempt:
        """Check and count this attempt at once (before verifying the password)."""
        limits: LoginLimits | None = current_app.extensions.get("login_limits")
        if limits is None or not current_app.config["RATELIMIT_ENABLED"]:
            return Attempt()
        return limits.begin(self.keys())


class _Counters:
    """Counters in this process's memory: the fallback while Redis is away, and the store without REDIS_URL."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, list[float]] = {}  # key: [count, wait until, forget at]
        self._writes = 0

    def begin(self, keys: list[tuple[str, Rule]], at: float) -> Attempt:
        """Refuse while any key waits; otherwise count the attempt on every key and set their delays."""
        with self._lock:
            self._forget_old(at)
            waits = [self._counts.get(key, [0.0, 0.0, 0.0]) for key, _ in keys]
            wait = max((until - at for (key, rule), (count, until, _) in zip(keys, waits)
                        if count >= rule.free and at < until), default=0.0)
            if wait > 0:
                return Attempt(wait=wait)
            marks = []
            for key, rule in keys:
                count, until, _ = self._counts.get(key, [0.0, 0.0, 0.0])
                count += 1
                old = until
                if count >= rule.free:
                    until = at + rule.delay(int(count))
                self._counts[key] = [count, until, at + WINDOW_SECONDS]
                marks.append((key, repr(old), repr(until)))
            return Attempt(marks=marks, undo=self.undo)

    def undo(self, marks: Marks) -> None:
        """Uncount an attempt `begin` counted (see `Attempt.succeeded`)."""
        with self._lock:
            for key, old, until in marks:
                entry = self._counts.get(key)
                if entry is None:
                    continue
                entry[0] = max(0.0, entry[0] - 1)
                if repr(entry[1]) == until:
                    entry[1] = float(old)

    def _forget_old(self, at: float) -> None:
        # Sweep now and then, so a guesser typing endless new emails cannot grow the dict for ever.
        self._writes += 1
        if self._writes % 1000 == 0:
            self._counts = {key: entry for key, entry in self._counts.items() if entry[2] > at}


# Redis does in one script what `_Counters.begin` does under its lock. Times travel as strings: Redis
# turns a Lua number in a reply into an integer.
_BEGIN = """
local at, window = tonumber(ARGV[1]), tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('HGET', key, 'n') or '0')
  local untl = tonumber(redis.call('HGET', key, 'u') or '0')
  if count >= tonumber(ARGV[3 * i]) and at < untl then wait = math.max(wait, untl - at) end
end
if wait > 0 then return {'wait', tostring(wait)} end
local marks = {'ok'}
for i, key in ipairs(KEYS) do
  local free, first, cap = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1]), tonumber(ARGV[3 * i + 2])
  local count = redis.call('HINCRBY', key, 'n', 1)
  local old = redis.call('HGET', key, 'u') or '0'
  local untl = old
  if count >= free then
    untl = tostring(at + math.min(first * 2 ^ math.min(count - free, 32), cap))
    redis.call('HSET', key, 'u', untl)
  end
  redis.call('EXPIRE', key, window)
  table.insert(marks, old)
  table.insert(marks, untl)
end
return marks
"""
_UNDO = """
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    if tonumber(redis.call('HGET', key, 'n') or '0') > 0 then redis.call('HINCRBY', key, 'n', -1) end
    if redis.call('HGET', key, 'u') == ARGV[2 * i] then redis.call('HSET', key, 'u', ARGV[2 * i - 1]) end
  end
end
return 1
"""


class _RedisCounters(_Counters):
    """The same counters in Redis, shared by every worker; each call gives up after the client's timeout."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__()
        self._begin = client.register_script(_BEGIN)
        self._undo = client.register_script(_UNDO)

    def begin(self, keys: list[tuple[str, Rule]], at: float) -> Attempt:
        """`_Counters.begin` as one Lua script."""
        args: list[Any] = [repr(at), WINDOW_SECONDS]
        for _, rule in keys:
            args += [rule.free, repr(rule.first), repr(rule.cap)]
        reply = [part.decode() if isinstance(part, bytes) else str(part)
                 for part in self._begin(keys=[key for key, _ in keys], args=args)]
        if reply[0] == "wait":
            return Attempt(wait=float(reply[1]))
        marks = [(key, reply[1 + 2 * n], reply[2 + 2 * n]) for n, (key, _) in enumerate(keys)]
        return Attempt(marks=marks, undo=self.undo)

    def undo(self, marks: Marks) -> None:
        """`_Counters.undo` as one Lua script."""
        self._undo(keys=[key for key, _, _ in marks], args=[value for _, old, until in marks for value in (old, until)])


class LoginLimits:
    """Redis counters when REDIS_URL is set, falling back to memory counters while Redis does not answer."""

    def __init__(self, shared: _RedisCounters | None, retry_seconds: float) -> None:
        """`shared`: the Redis counters, or None for memory alone; Redis is retried `retry_seconds` after a failure."""
        self._shared = shared
        self._local = _Counters()
        self._retry_seconds = retry_seconds
        self._shared_again_at = 0.0  # monotonic; before it, Redis is not asked

    def begin(self, keys: list[tuple[str, Rule]]) -> Attempt:
        """Check and count an attempt in Redis, or in memory while Redis is away."""
        at = now()
        if self._shared is not None and time.monotonic() >= self._shared_again_at:
            try:
                attempt = self._shared.begin(keys, at)
            except (redis.RedisError, OSError):
                # Stopped, paused or slow: count here rather than let a guesser through or hold the thread.
                current_app.logger.warning("log-in limits: Redis unavailable, counting in memory", exc_info=True)
                self._shared_again_at = time.monotonic() + self._retry_seconds
            else:
                attempt.undo = self._undo_shared
                return attempt
        return self._local.begin(keys, at)

    def _undo_shared(self, marks: Marks) -> None:
        # The log-in has succeeded: a failed uncount only leaves one failure too many counted.
        assert self._shared is not None
        try:
            self._shared.undo(marks)
        except (redis.RedisError, OSError):
            current_app.logger.warning("log-in limits: could not uncount a successful log-in", exc_info=True)


def init_app(app: Flask) -> None:
    """Give `app` its own counters (tests build many apps in one process), in Redis when REDIS_URL is set."""
    redis_url = str(app.config.get("REDIS_URL") or "")
    shared = _RedisCounters(redis.Redis.from_url(redis_url, **redis_options(app.config))) if redis_url else None
    app.extensions["login_limits"] = LoginLimits(shared, float(app.config["REDIS_RETRY_SECONDS"]))
