"""The first-run demo: an instructor and a class of six with three weeks of synthetic history.

`ensure_demo(app)` runs when the server starts. On an empty database, and only
when `DEMO_DATA` is on, it makes the demo with the same simulator as
`seed-synthetic` (real planner, real scheduler), so a newcomer can sign in and
look around at once. Every demo account is marked `is_demo` and named "Demo …".
It returns the login lines for the server to print, whenever the demo exists.
The demo password is published, so `DEMO_DATA` is on by default only for the
default SQLite file: never for a DATABASE_URL unless DEMO_DATA=1 is given
(`webapp.platform.config.demo_data_setting`).
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from webapp.accounts.auth.passwords import hash_password
from webapp.platform.models import User, utcnow
from webapp.tools.synthetic.school import Naming
from webapp.tools.synthetic.seed import SeedError, seed_school

DEMO_INSTRUCTOR = "demo-instructor@example.com"
DEMO_PASSWORD = "demo-password"
DEMO_STUDENTS = 6
DEMO_DAYS = 21
DEMO_SEED = 2026
DEMO_NAMING = Naming(
    instructor_email=DEMO_INSTRUCTOR,
    instructor_name="Demo Instructor",
    student_email="demo-student-{n}@example.com",
    student_name="Demo Student {n}",
    class_name="Demo class",
)

log = logging.getLogger(__name__)


def login_lines(emails: list[tuple[str, str]]) -> list[str]:
    """One line per demo account: role, email and the demo password."""
    return [f"  {role:<10} {email}  password: {DEMO_PASSWORD}" for role, email in emails]


def _demo_accounts(app: Flask) -> list[tuple[str, str]]:
    with app.extensions["db_engine"].connect() as connection:
        rows = connection.execute(
            select(User.role, User.email)
            .where(User.is_demo.is_(True), (User.email == DEMO_INSTRUCTOR) | User.email.like("demo-student-%"))
            .order_by(User.role, User.id)  # "instructor" sorts first
        ).all()
    return [(role, email) for role, email in rows]


def ensure_demo(app: Flask) -> list[str]:
    """Create the demo on an empty database when `DEMO_DATA` is on; the login lines to print.

    Returns:
        The demo's login lines (empty when demo data is off or there is no demo).
    """
    if not app.config.get("DEMO_DATA"):
        return []
    engine = app.extensions["db_engine"]
    with engine.connect() as connection:
        empty = not connection.scalar(select(exists().where(User.id.is_not(None))))
    if empty:
        try:
            seed_school(
                engine, app.extensions["bank"], students=DEMO_STUDENTS, days=DEMO_DAYS, seed=DEMO_SEED,
                now=utcnow().replace(microsecond=0), password_hash=hash_password(DEMO_PASSWORD), classes=1,
                naming=DEMO_NAMING, safety_retention=app.config["SAFETY_RETENTION"],
            )
        except (SeedError, IntegrityError):
            # Another process starting at the same moment made it first.
            log.info("demo data was created by another process")
    return login_lines(_demo_accounts(app))
