"""No hot request reads `reviews` or `review_choices` by a sequential scan, on SQLite or PostgreSQL.

Every SQL statement the real requests run (a student's next question, answer
and progress page; an instructor's class overview, item analysis and unsafe
answers) is captured with its parameters as it goes to the database, then
EXPLAINed on the same database. A sequential scan of those tables is a cost that
grows with the whole school, not with the class or the learner.

SQLite: an `EXPLAIN QUERY PLAN` row `SCAN reviews` with no index. PostgreSQL: an
`EXPLAIN (FORMAT JSON)` node "Seq Scan" on the table, planned with
`enable_seqscan = off`: on a tiny test database PostgreSQL rightly prefers a seq
scan, so only one that remains when it is all but forbidden means no index can
serve the query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select, text

from tests.webapp.helpers import answer_fields, token_of
from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass, User
from webapp.questions import tokens
from webapp.tools.synthetic.demo import DEMO_INSTRUCTOR, DEMO_PASSWORD, ensure_demo

WATCHED = ("reviews", "review_choices")
# Statements that are not queries of tables: nothing to plan.
UNPLANNED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA|SET|SHOW)\b", re.IGNORECASE)

Statement = tuple[str, Any]


@contextmanager
def captured(engine: Engine) -> Iterator[list[Statement]]:
    """Every statement (with its parameters) `engine` sends while the block runs."""
    statements: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool) -> None:
        statements.append((statement, parameters[0] if executemany and parameters else parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def seq_scans(engine: Engine, statement: str, parameters: Any) -> list[str]:
    """The plan lines of `statement` that read a watched table by a sequential scan."""
    if UNPLANNED.match(statement):
        return []
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            with connection.begin() as transaction:
                connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
                transaction.rollback()
            return [_describe(node) for node in _nodes(plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"])
                    if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in WATCHED]
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    scan = re.compile(rf"^SCAN ({'|'.join(WATCHED)})\b(?!.*\bUSING\b.*\bINDEX\b)")
    return [row[-1] for row in rows if scan.match(row[-1])]


def _nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def _describe(node: dict[str, Any]) -> str:
    where = f" Filter: {node['Filter']}" if "Filter" in node else ""
    return f"{node['Node Type']} on {node['Relation Name']}{where}"


def problems(engine: Engine, request: str, statements: list[Statement]) -> list[str]:
    """One message per statement that scans a watched table: the request, the statement and its plan lines."""
    found = []
    for statement, parameters in statements:
        lines = seq_scans(engine, statement, parameters)
        if lines:
            found.append(f"{request}:\n  {' '.join(statement.split())}\n  plan: {'; '.join(lines)}")
    return found


def _log_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_hot_requests_read_reviews_through_indexes(app: Flask) -> None:
    app.config["DEMO_DATA"] = True
    ensure_demo(app)
    engine = app.extensions["db_engine"]
    with app.app_context():
        session = get_session()
        class_id = session.scalar(select(SchoolClass.id).where(SchoolClass.name == "Demo class"))
        student = session.scalars(
            select(User).where(User.email.like("demo-student-%")).order_by(User.id)
        ).first()
        assert class_id is not None and student is not None
        student_email, student_id = student.email, student.id
    learner, instructor = _log_in(app, student_email), _log_in(app, DEMO_INSTRUCTOR)
    found: list[str] = []
    checked = 0

    def check(name: str, client: FlaskClient, method: str, url: str, **kwargs: Any) -> bytes:
        nonlocal checked
        with captured(engine) as statements:
            response = client.open(url, method=method, **kwargs)
        assert response.status_code in (200, 302), f"{name}: HTTP {response.status_code}"
        checked += len(statements)
        found.extend(problems(engine, name, statements))
        return response.data

    page = check("GET /study/", learner, "GET", "/study/")
    token = token_of(page)
    question = app.extensions["bank"].get(tokens.verify(app.config["SECRET_KEY"], token, student_id).item_id)
    check("POST /study/answer", learner, "POST", "/study/answer",
          data={"presentation": token, **answer_fields(question, correct=False)})
    check("GET /progress", learner, "GET", "/progress")
    base = f"/instructor/classes/{class_id}"
    check("class overview", instructor, "GET", base)
    check("item analysis", instructor, "GET", f"{base}/items")
    check("unsafe answers", instructor, "GET", f"{base}/unsafe")
    assert checked > 30  # the requests really ran their queries through this engine
    assert not found, "sequential scans of reviews/review_choices:\n" + "\n".join(found)


def test_the_checker_reports_a_scan_when_the_index_is_gone(app: Flask) -> None:
    engine = app.extensions["db_engine"]
    query = "SELECT review_id FROM review_choices WHERE item_id = :item"
    statement, parameters = _driver_statement(engine, query, {"item": "some-item"})
    assert seq_scans(engine, statement, parameters) == []
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_review_choices_item_option"))
    # SQLite connections cache prepared EXPLAIN statements, which do not notice a
    # schema change: plan on new connections.
    engine.dispose()
    lines = seq_scans(engine, statement, parameters)
    assert len(lines) == 1 and "review_choices" in lines[0]
    reported = problems(engine, "a test request", [(statement, parameters)])
    assert len(reported) == 1 and "a test request" in reported[0] and "review_choices" in reported[0]


def _driver_statement(engine: Engine, query: str, values: dict[str, Any]) -> Statement:
    """`query` as the driver receives it (its placeholder style), captured from a real execution."""
    with captured(engine) as statements, engine.connect() as connection:
        connection.execute(text(query), values).all()
    return statements[-1]
