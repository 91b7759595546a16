"""Time zones: a learner's day starts at their midnight, on both databases; the zone comes from the browser."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import signup, user_id
from webapp.platform.clock import day_start, local_date, local_midnight, valid_zone, zone_of
from webapp.platform.db import get_session
from webapp.platform.models import Review, User
from webapp.records import stats
from webapp.study.plan import new_seen_today, start_of_day

UTC = dt.timezone.utc
# 07:30 UTC on 1 March 2026 is 23:30 on 28 February in Los Angeles (UTC-8) and
# 16:30 on 1 March in Tokyo (UTC+9); an hour later it is 1 March in both.
ANSWERED = dt.datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
NOW = dt.datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
LA, TOKYO = "America/Los_Angeles", "Asia/Tokyo"


def test_clock_rules() -> None:
    assert local_midnight(NOW, LA) == dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert local_midnight(NOW, TOKYO) == dt.datetime(2026, 2, 28, 15, 0, tzinfo=UTC)
    assert local_midnight(NOW, None) == dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert local_date(ANSWERED, LA) == dt.date(2026, 2, 28) and local_date(ANSWERED, TOKYO) == dt.date(2026, 3, 1)
    assert day_start(dt.date(2026, 3, 1), TOKYO) == dt.datetime(2026, 2, 28, 15, tzinfo=UTC)
    assert start_of_day(NOW, LA) == local_midnight(NOW, LA)
    assert valid_zone(TOKYO) and not valid_zone("Mars/Olympus") and not valid_zone("") and not valid_zone(None)
    assert str(zone_of("Mars/Olympus")) == "UTC"


@pytest.fixture
def learner(app: Flask) -> Any:
    """One learner with one new item answered at ANSWERED and one the day before."""
    with app.app_context():
        session = get_session()
        user = User(email="zoe@example.com", display_name="Zoe", password_hash="x")
        session.add(user)
        session.flush()
        for n, when in enumerate((ANSWERED - dt.timedelta(days=1), ANSWERED)):
            session.add(Review(user_id=user.id, item_id=f"item-{n}", presentation_id=f"z{n}", reviewed_at=when,
                               response="x", result="correct", score=1.0, rating=3, response_ms=1000, attempt=1,
                               state_before=0, module="m"))
        session.commit()
        return user.id


@pytest.mark.parametrize(("zone", "today", "streak", "new_today", "last_day"), [
    (LA, 0, 2, 0, dt.date(2026, 2, 28)),  # both answers were on earlier LA days; the streak ends yesterday
    (TOKYO, 1, 2, 1, dt.date(2026, 3, 1)),  # the later answer is on Tokyo's 1 March, today
    (None, 1, 2, 1, dt.date(2026, 3, 1)),  # no zone yet: UTC, as before
])
def test_today_streak_and_days_in_the_learners_zone(app: Flask, learner: int, zone: str | None, today: int,
                                                      streak: int, new_today: int, last_day: dt.date) -> None:
    bank = app.extensions["bank"]
    with app.app_context():
        session = get_session()
        assert stats.totals(session, learner, NOW, bank=bank, zone=zone).today == today
        assert stats.streak(session, learner, NOW, zone) == streak
        assert new_seen_today(session, learner, NOW, zone) == new_today
        per_day = stats.reviews_per_day(session, learner, NOW, days=3, zone=zone)
        assert [d.day for d in per_day][-1] == local_date(NOW, zone)
        assert max(d.day for d in per_day if d.reviews) == last_day
        assert sum(d.reviews for d in per_day) == 2


def test_browser_reports_the_zone(client: FlaskClient, app: Flask) -> None:
    signup(client)
    page = client.get("/progress").data.decode()
    assert 'data-user-zone=""' in page and "timezone.js" in page
    assert client.post("/account/timezone", data={"timezone": "Mars/Olympus"}).status_code == 400
    assert client.post("/account/timezone", data={"timezone": TOKYO}).get_json() == {"ok": True, "timezone": TOKYO}
    with app.app_context():
        assert get_session().get(User, user_id(app, "ada@example.com")).timezone == TOKYO  # type: ignore[union-attr]
    assert f'data-user-zone="{TOKYO}"' in client.get("/progress").data.decode()


def test_zone_needs_a_signed_in_user(client: FlaskClient) -> None:
    assert client.post("/account/timezone", data={"timezone": TOKYO}).status_code in (302, 401)
