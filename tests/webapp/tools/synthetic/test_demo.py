"""The first-run demo: made once on an empty database, only when DEMO_DATA is on, and announced by `serve`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, func, select

from webapp.accounts.auth.passwords import verify_password
from webapp.platform.models import Enrollment, ItemState, Review, SchoolClass, User
from webapp.tools.synthetic.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, DEMO_STUDENTS, ensure_demo

TABLES = (User, SchoolClass, Enrollment, ItemState, Review)


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.__tablename__: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in TABLES
        }


@pytest.fixture
def demo_app(app: Flask) -> Flask:
    app.config["DEMO_DATA"] = True
    return app


def test_demo_is_created_on_an_empty_database(demo_app: Flask) -> None:
    lines = ensure_demo(demo_app)
    engine = demo_app.extensions["db_engine"]
    with engine.connect() as connection:
        users = connection.execute(select(User.email, User.role, User.is_demo, User.password_hash, User.display_name)).all()
        classes = connection.execute(select(SchoolClass.name, SchoolClass.instructor_id)).all()
        span = connection.execute(select(func.min(Review.reviewed_at), func.max(Review.reviewed_at))).one()
        per_student = connection.execute(select(func.count()).select_from(Review).group_by(Review.user_id)).scalars().all()
    assert [name for name, _ in classes] == ["Demo class"]
    assert sum(role == "instructor" for _, role, *_ in users) == 1
    assert sum(role == "student" for _, role, *_ in users) == DEMO_STUDENTS
    assert all(is_demo and name.startswith("Demo") for _, _, is_demo, _, name in users)
    assert all(verify_password(password_hash, DEMO_PASSWORD) for *_, password_hash, _ in users)
    assert len(per_student) >= DEMO_STUDENTS - 1 and min(per_student) > 0  # nearly everyone studied
    assert dt.timedelta(days=14) <= span[1] - span[0] <= dt.timedelta(days=22)
    assert len(lines) == DEMO_STUDENTS + 1
    assert DEMO_INSTRUCTOR in lines[0] and "instructor" in lines[0]
    assert all(DEMO_PASSWORD in line for line in lines)


def test_demo_is_created_once(demo_app: Flask) -> None:
    first = ensure_demo(demo_app)
    counts = _counts(demo_app.extensions["db_engine"])
    again = ensure_demo(demo_app)
    assert again == first  # the logins are shown again at each start...
    assert _counts(demo_app.extensions["db_engine"]) == counts  # ...but nothing is added


def test_no_demo_when_switched_off(app: Flask) -> None:
    assert app.config["DEMO_DATA"] is False
    assert ensure_demo(app) == []
    assert set(_counts(app.extensions["db_engine"]).values()) == {0}


def test_no_demo_beside_real_accounts(demo_app: Flask) -> None:
    engine = demo_app.extensions["db_engine"]
    with engine.begin() as connection:
        connection.execute(User.__table__.insert().values(
            email="teacher@example.com", display_name="Real Teacher", role="instructor", password_hash="x",
            created_at=dt.datetime.now(dt.timezone.utc), is_demo=False,
        ))
    assert ensure_demo(demo_app) == []
    assert _counts(engine) == {"users": 1, "classes": 0, "enrollments": 0, "item_states": 0, "reviews": 0}


def test_serve_prints_the_demo_logins_before_it_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import waitress

    from commands.serve import serve_command

    served: list[Any] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **kwargs: served.append(kwargs))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'first-run.sqlite3'}")
    monkeypatch.setenv("DEMO_DATA", "1")
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    outcome = CliRunner().invoke(serve_command, ["--port", "5999"], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    output = outcome.output
    assert "Demo logins (demo data; switch off with DEMO_DATA=0):" in output
    assert output.index(DEMO_INSTRUCTOR) < output.index("running at")
    assert served and served[0]["port"] == 5999


def test_no_demo_on_a_database_url_unless_asked(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real deployment names its database: the published demo password must not appear there by default."""
    from webapp import create_app

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SECRET_KEY", "demo-test")
    monkeypatch.delenv("DEMO_DATA", raising=False)
    app = create_app()
    assert app.config["DEMO_DATA"] is False and ensure_demo(app) == []
    assert set(_counts(app.extensions["db_engine"]).values()) == {0}
    app.extensions["db_engine"].dispose()
    monkeypatch.setenv("DEMO_DATA", "1")
    asked = create_app()
    assert asked.config["DEMO_DATA"] is True  # asked for explicitly
    asked.extensions["db_engine"].dispose()
