"""Which zone, where a day starts, how a time is shown: the one place for time-zone rules.

Times are stored in UTC. A zone is an IANA name ("Europe/Paris"); an unknown
or missing name is read as UTC, the zone every day was counted in before zones
were stored, so old accounts keep their streaks.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import Flask

UTC_NAME = "UTC"


@lru_cache(maxsize=256)
def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def valid_zone(name: str | None) -> bool:
    """True for an IANA zone name this machine knows."""
    return bool(name) and len(name or "") <= 64 and _zone(name or "") is not None


def zone_of(name: str | None) -> ZoneInfo:
    """The zone called `name`, or UTC when it is missing or unknown."""
    return (_zone(name) if name else None) or ZoneInfo(UTC_NAME)


def local_midnight(now: dt.datetime, zone: str | None) -> dt.datetime:
    """The start of `now`'s day in `zone`, as an aware UTC time."""
    local = now.astimezone(zone_of(zone))
    midnight = dt.datetime.combine(local.date(), dt.time(), tzinfo=local.tzinfo)
    return midnight.astimezone(dt.timezone.utc)


def local_date(moment: dt.datetime, zone: str | None) -> dt.date:
    """The calendar day `moment` falls on in `zone`."""
    return moment.astimezone(zone_of(zone)).date()


def day_start(day: dt.date, zone: str | None) -> dt.datetime:
    """Midnight at the start of `day` in `zone`, as an aware UTC time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone_of(zone)).astimezone(dt.timezone.utc)


def in_zone(moment: dt.datetime | None, zone: str | None) -> dt.datetime | None:
    """Template filter: `moment` converted to `zone` (None stays None)."""
    return None if moment is None else moment.astimezone(zone_of(zone))


def zone_label(zone: str | None) -> str:
    """A zone's name for a page: "Europe/Paris", or "UTC"."""
    return zone if zone and valid_zone(zone) else UTC_NAME


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every zone name the machine knows, sorted, UTC first (for a settings list)."""
    names = sorted(name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "posix/", "right/")))
    return (UTC_NAME, *names)


def init_app(app: Flask) -> None:
    """Make the zone rules available to every template: the `in_zone` filter and `zone_label`."""
    app.jinja_env.filters["in_zone"] = in_zone
    app.jinja_env.globals["zone_label"] = zone_label
