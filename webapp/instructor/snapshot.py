"""Per-class snapshots of the class overview's and the item analysis's figures, shared by every worker.

Why: a class's figures cost far more SQL and Python than drawing the page, so
under many instructors at once most requests must reuse figures computed a
moment ago (the figures are in benchmarks/RESULTS.md, bench_dashboard_load).

What is cached, in two layers that share one key and one freshness bound:
- the figures (rows, per-item statistics): one entry per class serves every
  sort and filter, and is what costs SQL;
- the page's own content (inside <main>) rendered from them, per sort and
  filters (`rendered`): once the figures are cached, drawing the rows is most
  of what a request costs. The layout around it
  (CSRF token, flash messages, the user's name) is drawn per request and
  never cached, so nothing of one session reaches another.

Where: Redis (REDIS_URL) through Flask-Caching, so every worker and every server
reads the same snapshot. Without Redis there is no cache at all: a per-process
copy could not be made stale by a change another worker served.

Key: the class id, the course content (release and a digest of the bank), the
shape of the cached dataclasses (a deploy that changes them never unpickles an
old one), and a stamp of everything the instructor controls: the class's
settings (name, modules, exam date, pace, zone) and its roster (who, joined
when, under which name). So enrolling or removing a student, changing settings
or modules, or a student joining with the code, changes the key in every worker
at once; a computation that read the old roster is stored under the old stamp,
so no race can put old figures under a new key. Instructor actions that change
no figure (join code, archive, password reset links) need nothing.

Freshness: answers change the figures without changing the key; they show
after about INSTRUCTOR_SNAPSHOT_SECONDS (60), and the page says when its
figures were computed. Figures older than that are still served, for up to
INSTRUCTOR_SNAPSHOT_STALE_SECONDS more, while one background job per class and
kind (`refresh`, on the job queue) computes the next ones: when a snapshot
expires, its class's pages cost no more than before, and no instructor's
request waits for the figures. A page computes its figures itself only when
there is no snapshot at all (the first visit, a changed roster or settings,
figures older than the stale bound). A rendered page lives no longer than the
figures it shows are fresh.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Callable, Generic, Sequence, TypeVar

from flask import Flask, current_app, g
from flask_caching import Cache
from markupsafe import Markup

from webapp.classes import roster
from webapp.instructor import analytics, pace
from webapp.platform import jobs
from webapp.platform.content import content_key, get_bank
from webapp.platform.db import get_session
from webapp.platform.extensions import redis_options
from webapp.platform.models import SchoolClass, utcnow
from webapp.records.items import ItemStat, OptionStat
from webapp.records.stats import DayCount, Retention

KEY_PREFIX = "msc:instructor:snapshot:"
_SECONDS_KEY = "instructor_snapshot_seconds"
_FAILED_KEY = "instructor_snapshot_failed"

T = TypeVar("T")
cache = Cache()


@dataclass
class OverviewFigures:
    """What the class overview shows, before sorting."""

    rows: list[analytics.StudentRow]  # by name
    per_day: list[DayCount]
    due: list[int]
    retention: Retention
    total_items: int


@dataclass
class ItemFigures:
    """What the item analysis shows, before filtering: every class item the class has attempted."""

    stats: dict[str, ItemStat]
    still_by_item: dict[str, int]  # item id -> students whose latest answer still picked an unsafe option
    students: int = 0  # in the class: the base of "how many of the class attempted it"


@dataclass
class Snapshot(Generic[T]):
    """Figures and when they were computed; `fresh_for` seconds is 0 when nothing is cached."""

    computed_at: dt.datetime
    fresh_for: int
    figures: T


def _shape(types: Sequence[type]) -> str:
    # Field names of every cached dataclass: a deploy that adds or renames one gets new keys.
    described = [(kind.__name__, [f.name for f in dataclasses.fields(kind)]) for kind in types]
    return hashlib.sha256(repr(described).encode()).hexdigest()[:8]


SHAPE = _shape([Snapshot, OverviewFigures, ItemFigures, analytics.StudentRow, pace.Flag, pace.Projection, DayCount,
                Retention, ItemStat, OptionStat])


# How each kind of figures is computed for a class, its roster and a moment (registered by the pages' modules),
# so a background job can recompute them from a class id alone.
Compute = Callable[[SchoolClass, Sequence[roster.Enrolment], dt.datetime], object]
_COMPUTE: dict[str, Compute] = {}


def computes(kind: str) -> Callable[[Compute], Compute]:
    """Register the function that computes `kind`'s figures (for `refresh`)."""
    def register(function: Compute) -> Compute:
        _COMPUTE[kind] = function
        return function
    return register


def init_app(app: Flask) -> None:
    """Cache snapshots in Redis when REDIS_URL is set and INSTRUCTOR_SNAPSHOT_SECONDS > 0; otherwise not at all."""
    seconds = int(app.config["INSTRUCTOR_SNAPSHOT_SECONDS"])
    redis_url = str(app.config.get("REDIS_URL") or "")
    cached = bool(redis_url) and seconds > 0
    app.extensions[_SECONDS_KEY] = seconds if cached else 0
    if cached:
        cache.init_app(app, {
            "CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": KEY_PREFIX,
            "CACHE_DEFAULT_TIMEOUT": seconds + int(app.config["INSTRUCTOR_SNAPSHOT_STALE_SECONDS"]),
            # A Redis that hangs must cost a page a fraction of a second (REDIS_TIMEOUT_SECONDS), not a worker.
            "CACHE_OPTIONS": redis_options(app.config),
        })
    else:
        cache.init_app(app, {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True})


def lifetime() -> int:
    """Seconds a snapshot is reused (0: every request computes its own figures, as after a cache failure)."""
    # One failure per request at most: a Redis that times out must not cost each of a page's four calls.
    return 0 if g.get(_FAILED_KEY) else int(current_app.extensions[_SECONDS_KEY])


def stamp(school_class: SchoolClass, roster: Sequence[roster.Enrolment]) -> str:
    """A digest of what the instructor controls: the class's settings and its roster (`roster.enrolments`)."""
    settings = (school_class.name, sorted(school_class.modules or []), school_class.exam_date, school_class.daily_new_limit,
                school_class.desired_retention, school_class.timezone, school_class.created_at)
    return hashlib.sha256(repr((settings, list(roster))).encode()).hexdigest()[:16]


def key(kind: str, school_class: SchoolClass, roster: Sequence[roster.Enrolment]) -> str:
    """The cache key of one kind of snapshot ("overview", "items") of a class, as it stands now."""
    return f"{kind}:{school_class.id}:{content_key(get_bank())}:{SHAPE}:{stamp(school_class, roster)}"


def _read(name: str) -> object:
    """The entry under `name`, or None when there is none or the cache fails (logged: a page never 500s for it)."""
    try:
        return cache.get(name)
    except Exception:  # an unreachable Redis or an entry that no longer unpickles: compute instead
        current_app.logger.warning("instructor snapshot: reading %s failed", name, exc_info=True)
        setattr(g, _FAILED_KEY, True)
        return None


def _write(name: str, value: object, seconds: int) -> None:
    """Store `value` for `seconds`; a failing cache is logged and the page served all the same."""
    try:
        cache.set(name, value, timeout=seconds)
    except Exception:  # as in _read
        current_app.logger.warning("instructor snapshot: storing %s failed", name, exc_info=True)
        setattr(g, _FAILED_KEY, True)


def cached(kind: str, school_class: SchoolClass, roster: Sequence[roster.Enrolment],
           compute: Callable[[dt.datetime], T]) -> Snapshot[T]:
    """The class's cached figures of this kind, or `compute(now)` stored for the next requests.

    Call it only after the access check (`own_class_or_404`): the key names the
    class, not who may read it.
    """
    seconds = lifetime()
    name = key(kind, school_class, roster) if seconds else ""
    found = _read(name) if seconds else None
    if isinstance(found, Snapshot):
        if found.computed_at + dt.timedelta(seconds=found.fresh_for) <= utcnow():
            _ask_refresh(kind, school_class.id, seconds)
        return found
    now = utcnow()
    fresh = Snapshot(now, lifetime(), compute(now))  # 0 when the read just failed: this one is not kept
    if fresh.fresh_for:
        _write(name, fresh, _kept_for(fresh.fresh_for))
    return fresh


def refresh(kind: str, class_id: int) -> None:
    """A background job: compute the class's figures of `kind` now and store them for its pages."""
    seconds = lifetime()
    session = get_session()
    school_class = session.get(SchoolClass, class_id)
    if not seconds or school_class is None:
        return
    enrolled = roster.enrolments(session, class_id)
    now = utcnow()
    figures = _COMPUTE[kind](school_class, enrolled, now)
    _write(key(kind, school_class, enrolled), Snapshot(now, seconds, figures), _kept_for(seconds))


def _ask_refresh(kind: str, class_id: int, seconds: int) -> None:
    """Queue one `refresh` of the class's `kind` per `seconds`, however many pages find the figures old."""
    if kind not in _COMPUTE:
        return
    try:
        jobs.enqueue_once(f"instructor-snapshot-{kind}-{class_id}", seconds, refresh, kind, class_id)
    except Exception:  # the page still has figures to show; the next request asks again
        current_app.logger.warning("instructor snapshot: asking for a refresh of %s failed", kind, exc_info=True)


def _kept_for(seconds: int) -> int:
    """How long an entry stays in Redis: its freshness, then the time old figures may be shown while new ones come."""
    return seconds + int(current_app.config["INSTRUCTOR_SNAPSHOT_STALE_SECONDS"])


def rendered(kind: str, school_class: SchoolClass, roster: Sequence[roster.Enrolment], variant: Sequence[object],
             compute: Callable[[dt.datetime], T], render: Callable[[Snapshot[T]], str], keep: bool = True) -> Markup:
    """The page's content for this `variant` (sort, filters), drawn by `render` from the class's snapshot.

    Kept beside the snapshot until the snapshot's own end, so it never shows
    figures older than the snapshot could. Only for content that depends on
    nothing but the class, its figures and `variant` (no forms, no user).
    Pass `keep=False` for a variant outside a small fixed set (a typed-in
    number): it is drawn from the snapshot but not kept, so no one can fill
    Redis with variants. Same access rule as `cached`.
    """
    seconds = lifetime() if keep else 0
    name = ""
    if seconds:
        variant_digest = hashlib.sha256(repr(tuple(variant)).encode()).hexdigest()[:12]
        name = f"html:{key(kind, school_class, roster)}:{variant_digest}"
    found = _read(name) if seconds else None
    if isinstance(found, str):
        return Markup(found)  # drawn by `render` (our template, escaped) for this very key  # nosec B704
    snap = cached(kind, school_class, roster, compute)
    html = str(render(snap))
    left = int((snap.computed_at + dt.timedelta(seconds=snap.fresh_for) - utcnow()).total_seconds())
    if seconds and lifetime() and left > 0:
        _write(name, html, left)
    return Markup(html)  # as above  # nosec B704
