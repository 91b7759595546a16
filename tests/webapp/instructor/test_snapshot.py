"""The per-class snapshot of the overview's and item analysis's figures (webapp/instructor/snapshot.py).

The snapshot must equal what a fresh computation gives, change at once when the
instructor changes the class, stay behind the class's own access rule, and be
one for every worker on the same Redis.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import signal
from collections.abc import Callable
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from rq import Queue

from quizzes.questions import ChoiceQuestion
from tests.webapp.instructor.helpers import PASSWORD, School, answer
from webapp.classes import roster as class_roster
from webapp.instructor import dashboard, item_views, snapshot
from webapp.platform import jobs
from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass, utcnow


@pytest.fixture
def cached_app(make_app: Callable[..., Flask], app_config: dict[str, Any], redis_url: str, school: School) -> Flask:
    """An app over the school's database that keeps snapshots in Redis, with answers to real questions."""
    application = make_app({**app_config, "REDIS_URL": redis_url})
    bank = application.extensions["bank"]
    choice = [q for q in bank.questions if isinstance(q, ChoiceQuestion) and q.type == "mcq"][:3]
    now = utcnow()
    for n, question in enumerate(choice):
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        answer(application, school.ann, question, right.id, now - dt.timedelta(days=2 + n), 1)
        answer(application, school.bob, question, wrong.id if n else right.id, now - dt.timedelta(days=1), 1)
    return application


def signed_in(application: Flask, email: str) -> FlaskClient:
    client = application.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def main(page: bytes) -> str:
    """A page's own content: the layout around it carries the session's CSRF token."""
    text = page.decode()
    return text[text.index("<main"):text.index("</main>")]


def stored(application: Flask, kind: str, class_id: int) -> snapshot.Snapshot[Any]:
    """The snapshot in Redis for the class as it stands now (fails when there is none)."""
    with application.app_context():
        school_class = get_session().get(SchoolClass, class_id)
        assert school_class is not None
        roster = class_roster.enrolments(get_session(), class_id)
        found = snapshot.cache.get(snapshot.key(kind, school_class, roster))
    assert isinstance(found, snapshot.Snapshot), kind
    return found


def test_snapshot_equals_a_fresh_computation(cached_app: Flask, school: School) -> None:
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    overview, items = client.get(base), client.get(f"{base}/items")
    assert overview.status_code == items.status_code == 200
    cached_overview = stored(cached_app, "overview", school.class_id)
    cached_items = stored(cached_app, "items", school.class_id)
    with cached_app.test_request_context():
        school_class = get_session().get(SchoolClass, school.class_id)
        assert school_class is not None
        fresh_overview = dashboard.overview_figures(school_class, cached_overview.computed_at)
        fresh_items = item_views.item_figures(school_class, class_roster.enrolments(get_session(), school.class_id))
    assert cached_overview.figures == fresh_overview
    assert cached_items.figures == fresh_items
    assert [row.name for row in fresh_overview.rows] == ["Ann", "Bob", "Cat"]
    assert fresh_overview.rows[0].seen == 3 and fresh_items.stats, "the fixture must give figures worth comparing"
    assert cached_overview.fresh_for == 60
    at = cached_overview.computed_at  # the class's zone is UTC
    note = f'Figures as of <time datetime="{at.isoformat()}">{at:%H:%M}</time>, refreshed every minute'
    assert note in overview.data.decode()
    assert "Figures as of" in items.data.decode() and "refreshed every minute" in items.data.decode()


def test_sorting_uses_the_cached_rows(cached_app: Flask, school: School) -> None:
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"

    by_name = client.get(f"{base}?sort=name").data.decode()
    by_name_desc = client.get(f"{base}?sort=name&dir=desc").data.decode()
    order = [by_name.index(f">{n}</a></th>") for n in ("Ann", "Bob", "Cat")]
    order_desc = [by_name_desc.index(f">{n}</a></th>") for n in ("Ann", "Bob", "Cat")]
    assert order == sorted(order) and order_desc == sorted(order_desc, reverse=True)


def test_the_instructors_own_changes_show_at_once(cached_app: Flask, school: School) -> None:
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    row = f'/students/{school.cat}">Cat</a></th>'
    assert row in client.get(base).data.decode()
    client.get(f"{base}/items")

    assert client.post(f"{base}/students/{school.cat}/remove").status_code == 302
    assert row not in client.get(base).data.decode()
    assert client.post(f"{base}/students/{school.cat}/readd").status_code == 302
    assert row in client.get(base).data.decode()

    bank = cached_app.extensions["bank"]
    module = bank.modules[0]
    before = client.get(f"{base}/items").data.decode()
    saved = client.post(f"{base}/settings", data={
        "name": "Spring cohort", "desired_retention": "90", "daily_new_limit": "20", "exam_date": "",
        "modules": [module.id], "timezone": "UTC"})
    assert saved.status_code == 302
    total = len(bank.by_module(module.id))
    assert f"to meet all {total} questions" in client.get(base).data.decode()
    after = client.get(f"{base}/items").data.decode()
    assert after != before
    others = [q for q in bank.questions if q.module != module.id]
    assert not any(f'data-item="{q.id}"' in after for q in others)


def test_student_answers_wait_for_the_next_snapshot(cached_app: Flask, school: School) -> None:
    """Answers do not change the key: the page keeps its figures (and says when they are from) until they expire."""
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    first = main(client.get(base).data)
    question = next(q for q in cached_app.extensions["bank"].questions if isinstance(q, ChoiceQuestion)
                    and q.type == "mcq" and any(o.unsafe for o in q.options))
    unsafe = next(o for o in question.options if o.unsafe)
    answer(cached_app, school.cat, question, unsafe.id, utcnow(), 1)
    assert main(client.get(base).data) == first


def test_another_instructor_cannot_read_the_snapshot(cached_app: Flask, school: School) -> None:
    teacher = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    assert teacher.get(base).status_code == teacher.get(f"{base}/items").status_code == 200
    stored(cached_app, "overview", school.class_id)
    other = signed_in(cached_app, "other@example.com")
    for url in (base, f"{base}/items", f"{base}?sort=name", f"{base}/items?safety=1"):
        response = other.get(url)
        assert response.status_code == 404, url
        assert b"Ann" not in response.data and b"Spring cohort" not in response.data
    student = signed_in(cached_app, "ann@example.com")
    assert student.get(base).status_code == student.get(f"{base}/items").status_code == 403


def test_two_workers_share_one_snapshot(cached_app: Flask, make_app: Callable[..., Flask], app_config: dict[str, Any],
                                        redis_url: str, school: School, monkeypatch: pytest.MonkeyPatch) -> None:
    base = f"/instructor/classes/{school.class_id}"
    first = signed_in(cached_app, "teacher@example.com")
    overview, items = main(first.get(base).data), main(first.get(f"{base}/items").data)

    def never(*args: object) -> None:
        raise AssertionError("the second worker computed figures the first had stored")

    monkeypatch.setattr(dashboard, "overview_figures", never)
    monkeypatch.setattr(item_views, "item_figures", never)
    second = signed_in(make_app({**app_config, "REDIS_URL": redis_url}), "teacher@example.com")
    assert main(second.get(base).data) == overview
    assert main(second.get(f"{base}/items").data) == items
    assert second.get(f"{base}?sort=name&dir=desc").status_code == 200


def test_without_redis_every_request_computes(client: FlaskClient, school: School) -> None:
    signed = client.post("/login", data={"email": "teacher@example.com", "password": PASSWORD})
    assert signed.status_code == 302
    page = client.get(f"/instructor/classes/{school.class_id}").data.decode()
    assert "Figures as of" in page and "refreshed every" not in page


def test_an_unreachable_redis_costs_the_cache_not_the_page(make_app: Callable[..., Flask], app_config: dict[str, Any],
                                                           school: School, caplog: pytest.LogCaptureFixture) -> None:
    application = make_app({**app_config, "REDIS_URL": "redis://127.0.0.1:1/0"})
    client = signed_in(application, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    with caplog.at_level(logging.WARNING, logger=application.logger.name):
        overview, items = client.get(base), client.get(f"{base}/items")
    assert overview.status_code == items.status_code == 200
    assert b"Ann" in overview.data and b"refreshed every" not in overview.data
    failures = [r for r in caplog.records if "instructor snapshot" in r.getMessage()]
    assert len(failures) == 2, "one failure per request, not one per cache call"


def test_only_a_fixed_set_of_page_variants_is_kept(cached_app: Flask, school: School, redis_url: str) -> None:
    """Sorts and filters chosen from the page are kept; typed-in numbers and unknown modules add no entry."""
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    store = redis.Redis.from_url(redis_url)

    def kept() -> int:
        return len(store.keys(f"{snapshot.KEY_PREFIX}html:*"))

    try:
        client.get(f"{base}/items")
        assert kept() == 1
        for n in range(3):
            assert client.get(f"{base}/items?min_attempts={n}").status_code == 200
            assert client.get(f"{base}/items?module=nonsense-{n}&sort=nonsense").status_code == 200
        assert kept() == 1
        client.get(f"{base}/items?sort=attempts")
        client.get(f"{base}?sort=name&dir=desc")
        assert kept() == 3
    finally:
        store.close()


def test_old_figures_are_served_while_one_job_computes_the_next(cached_app: Flask, school: School, redis_url: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a snapshot is older than its freshness, pages show it and queue one refresh; a worker stores the next."""
    client = signed_in(cached_app, "teacher@example.com")
    base = f"/instructor/classes/{school.class_id}"
    first = main(client.get(base).data)
    old = stored(cached_app, "overview", school.class_id)
    with cached_app.app_context():  # the figures were computed two minutes ago
        school_class = get_session().get(SchoolClass, school.class_id)
        assert school_class is not None
        name = snapshot.key("overview", school_class, class_roster.enrolments(get_session(), school.class_id))
        snapshot.cache.set(name, dataclasses.replace(old, computed_at=old.computed_at - dt.timedelta(minutes=2)))
    older = old.computed_at - dt.timedelta(minutes=2)
    shown = first.replace(old.computed_at.isoformat(), older.isoformat()).replace(
        f">{old.computed_at:%H:%M}</time>", f">{older:%H:%M}</time>")
    store = redis.Redis.from_url(redis_url)
    for page in store.scan_iter(match=f"{snapshot.KEY_PREFIX}html:*"):  # a rendered page lasts while its figures are fresh
        store.delete(page)
    question = next(q for q in cached_app.extensions["bank"].questions if isinstance(q, ChoiceQuestion)
                    and q.type == "mcq" and any(o.unsafe for o in q.options))
    answer(cached_app, school.cat, question, next(o for o in question.options if o.unsafe).id, utcnow(), 1)

    def never(*args: object) -> None:
        raise AssertionError("a page computed figures while old ones could be shown")

    queue = Queue(jobs.QUEUE_NAME, connection=store)
    with monkeypatch.context() as patched:
        patched.setattr(dashboard, "overview_figures", never)
        for _ in range(3):  # several instructors' requests at once: one job between them
            assert main(client.get(base).data) == shown
        assert queue.count == 1
    assert stored(cached_app, "overview", school.class_id).figures == old.figures
    assert "Cat" in first

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        assert jobs.work(cached_app, burst=True, name="test-snapshots")
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    new = stored(cached_app, "overview", school.class_id)
    assert new.computed_at > old.computed_at and new.figures != old.figures
    cat = next(row for row in new.figures.rows if row.name == "Cat")
    assert cat.unsafe_picks == 1
    assert main(client.get(base).data) != first
    store.close()
