"""Every migration, up and down, from a filled database at the first revision: no row or value lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, insert, select
from sqlalchemy.orm import Session

from tests.webapp.tools.integrity.helpers import snapshot, table_columns
from webapp.platform.db import make_engine
from webapp.platform.migrate import alembic_config, downgrade, upgrade
from webapp.platform.models import Enrollment, ItemState, Review, User

T0 = dt.datetime(2026, 1, 5, 9, 30, 15, 123456, tzinfo=dt.timezone.utc)
CARD = {"card_id": 1, "state": 2, "step": None, "stability": 3.5, "difficulty": 5.25,
        "due": "2026-01-09T09:30:15.123456+00:00", "last_review": "2026-01-05T09:30:15.123456+00:00"}


def _revisions(url: str) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(url))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def _fill_first_schema(engine: Engine) -> None:
    """Rows of every table, written against the schema as revision 0001 made it (reflected, not the models)."""
    metadata = MetaData()
    metadata.reflect(engine)
    t = metadata.tables
    day = dt.timedelta(days=1)
    with engine.begin() as connection:
        def add(table: str, rows: list[dict[str, Any]]) -> None:
            connection.execute(insert(t[table]), rows)

        add("users", [
            {"id": 1, "email": "teacher@example.com", "display_name": "Ms Teacher", "role": "instructor",
             "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", "created_at": T0, "is_demo": False},
            {"id": 2, "email": "ann@example.com", "display_name": "Ann Ünïcode ✓", "role": "student",
             "password_hash": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", "created_at": T0 + day, "is_demo": False},
            {"id": 3, "email": "demo@example.com", "display_name": "Demo", "role": "student",
             "password_hash": "x", "created_at": T0 + day, "is_demo": True},
        ])
        add("classes", [{"id": 1, "name": "Spring <cohort>", "instructor_id": 1, "join_code": "SPRING",
                         "desired_retention": 0.87, "daily_new_limit": 15, "exam_date": dt.date(2026, 6, 1),
                         "modules": ["endangerment-sites"], "archived": False, "created_at": T0}])
        add("enrollments", [{"id": 1, "class_id": 1, "user_id": 2, "joined_at": T0 + day},
                            {"id": 2, "class_id": 1, "user_id": 3, "joined_at": T0 + 2 * day}])
        add("item_states", [{"user_id": 2, "item_id": "q-one", "card": CARD, "due": T0 + 4 * day, "state": 2,
                             "stability": 3.5, "difficulty": 5.25, "last_review": T0, "reps": 2, "lapses": 1}])
        add("reviews", [
            {"id": n, "user_id": 2, "item_id": "q-one", "presentation_id": f"p-{n}", "reviewed_at": T0 + n * day,
             "response": {"choice": ["a", "b"]} if n == 1 else "true", "result": "correct" if n != 2 else "incorrect",
             "score": 1.0 if n != 2 else 0.0, "rating": 3 if n != 2 else 1, "response_ms": 4200 + n,
             "attempt": n, "state_before": 0 if n == 1 else 2, "unsafe_chosen": n == 2, "source": "web"}
            for n in (1, 2, 3)
        ])
        add("review_choices", [{"review_id": 1, "option_id": "a", "item_id": "q-one", "unsafe": False},
                               {"review_id": 2, "option_id": "bad", "item_id": "q-one", "unsafe": True}])
    engine.dispose()


def _the_models_read_old_rows(engine: Engine) -> None:
    with Session(engine) as session:
        ann = session.get(User, 2)
        assert ann is not None and ann.display_name == "Ann Ünïcode ✓" and ann.session_version == 0
        assert ann.is_active
        assert [e.class_id for e in session.scalars(select(Enrollment).where(Enrollment.user_id == 2))] == [1]
        reviews = session.scalars(select(Review).order_by(Review.id)).all()
        assert [r.reviewed_at for r in reviews] == [T0 + n * dt.timedelta(days=1) for n in (1, 2, 3)]
        assert reviews[0].response == {"choice": ["a", "b"]} and reviews[1].card_before is None
        state = session.get(ItemState, (2, "q-one"))
        assert state is not None and state.card == CARD and state.due.tzinfo is not None
        # 0011's backfill: attempt 1 was correct, attempt 2 picked an unsafe option, attempt 3 did not.
        assert (state.first_correct, state.unsafe_picks, state.last_unsafe) == (True, 1, False)
    engine.dispose()


def test_every_migration_up_and_down_keeps_every_row(database_url: str) -> None:
    revisions = _revisions(database_url)
    assert revisions[0] == "0001" and len(revisions) >= 2
    downgrade(database_url, "base")
    upgrade(database_url, revisions[0])
    engine = make_engine(database_url)
    _fill_first_schema(engine)
    first_columns = {name: cols for name, cols in table_columns(engine).items() if name != "alembic_version"}
    original = snapshot(engine, first_columns)
    assert sum(len(rows) for rows in original.values()) == 12
    for revision in revisions[1:]:
        upgrade(database_url, revision)
        assert snapshot(engine, first_columns) == original, f"data changed by the upgrade to {revision}"
    _the_models_read_old_rows(engine)
    for revision in reversed(revisions[:-1]):
        downgrade(database_url, revision)
        assert snapshot(engine, first_columns) == original, f"data changed by the downgrade to {revision}"
    assert table_columns(engine).keys() - {"alembic_version"} == first_columns.keys()
    upgrade(database_url)  # and up again, to the head, as the app runs it
    assert snapshot(engine, first_columns) == original
    engine.dispose()
