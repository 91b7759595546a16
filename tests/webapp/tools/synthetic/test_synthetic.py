"""The synthetic school: deterministic for a seed, consistent rows, plausible memory, a careful CLI."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import Engine, case, func, select, text

from quizzes.bank import Bank
from quizzes.questions import ChoiceQuestion
from tests.webapp.helpers import SQLITE_ONLY
from webapp.platform.migrate import upgrade
from webapp.platform.models import Enrollment, ItemState, Review, ReviewChoice, SchoolClass, User
from webapp.tools.synthetic.cli import seed_synthetic_command
from webapp.tools.synthetic.school import class_sizes, plan_school
from webapp.tools.synthetic.seed import SeedError, _students, seed_school
from webapp.tools.synthetic.simulate import item_offsets, simulate_student

NOW = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.timezone.utc)
STUDENTS, DAYS, SEED = 4, 12, 11
CORRECT = case((Review.result == "correct", 1.0), else_=0.0)


def _seed(app: Flask, **overrides: Any) -> Any:
    arguments: dict[str, Any] = dict(students=STUDENTS, days=DAYS, seed=SEED, now=NOW, password_hash="not-a-hash")
    arguments.update(overrides)
    return seed_school(app.extensions["db_engine"], app.extensions["bank"], **arguments)


def _pure_histories(bank: Bank, seed: int = SEED, students: int = STUDENTS, days: int = DAYS) -> list[Any]:
    """The histories the simulator gives, with user ids 1..n, no database involved."""
    plan = plan_school(seed, students, days, NOW, [m.id for m in bank.modules])
    offsets = item_offsets(bank, seed)
    return [simulate_student(s, bank, offsets, NOW) for s in _students(plan, list(range(1, students + 1)))]


def _essentials(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["item_id"], row["reviewed_at"], row["result"], row["rating"], row["response_ms"], row["attempt"],
            row["state_before"], row["response"])


@pytest.fixture
def engine(app: Flask) -> Engine:
    return app.extensions["db_engine"]  # type: ignore[no-any-return]


def test_class_sizes_stay_between_20_and_40() -> None:
    for total in (20, 41, 65, 333, 2000):
        sizes = class_sizes(random.Random(total), total)
        assert sum(sizes) == total
        assert all(20 <= size <= 40 for size in sizes), (total, sizes)
    assert class_sizes(random.Random(1), 6) == [6]  # too few for a full class: one small one


@SQLITE_ONLY  # the simulation alone, no database: the app is only the bank's source
def test_the_simulator_is_deterministic_for_a_seed(app: Flask) -> None:
    bank = app.extensions["bank"]
    first, again, other = _pure_histories(bank), _pure_histories(bank), _pure_histories(bank, seed=SEED + 1)
    assert [len(h.reviews) for h in first] == [len(h.reviews) for h in again]
    assert [_essentials(r) for r in first[0].reviews] == [_essentials(r) for r in again[0].reviews]
    assert [h.states for h in first] == [h.states for h in again]
    assert [_essentials(r) for r in first[0].reviews] != [_essentials(r) for r in other[0].reviews]


def test_written_rows_are_the_simulated_ones(app: Flask, engine: Engine) -> None:
    result = _seed(app)
    histories = _pure_histories(app.extensions["bank"])
    assert result.rows.reviews == sum(len(h.reviews) for h in histories) > 0
    assert result.rows.item_states == sum(len(h.states) for h in histories)
    assert result.rows.review_choices == sum(len(h.choices) for h in histories)
    first_user = result.student_ids[0]
    with engine.connect() as connection:
        stored = connection.execute(
            select(Review.item_id, Review.reviewed_at, Review.result, Review.rating, Review.response_ms,
                   Review.attempt, Review.state_before, Review.response)
            .where(Review.user_id == first_user).order_by(Review.id).limit(25)
        ).all()
    assert [tuple(row) for row in stored] == [_essentials(r) for r in histories[0].reviews[:25]]


def test_people_are_demo_accounts_in_classes(app: Flask, engine: Engine) -> None:
    result = _seed(app, students=45)
    with engine.connect() as connection:
        users = connection.execute(select(User.role, User.is_demo, User.display_name)).all()
        classes = connection.execute(select(SchoolClass.name, SchoolClass.join_code)).all()
        sizes = connection.execute(select(func.count()).select_from(Enrollment).group_by(Enrollment.class_id)).scalars().all()
    assert result.classes == len(classes) == 2 and sorted(sizes) == sorted(class_sizes(random.Random(f"{SEED}:school"), 45))
    assert all(is_demo for _, is_demo, _ in users)
    assert all(name.startswith("Synthetic") for _, _, name in users)
    assert all("Synthetic" in name and len(code) == 6 for name, code in classes)
    assert sum(role == "instructor" for role, _, _ in users) == 1


def test_generated_rows_are_consistent(app: Flask, engine: Engine) -> None:
    result = _seed(app)
    bank: Bank = app.extensions["bank"]
    with engine.connect() as connection:
        unenrolled = connection.scalar(
            select(func.count()).select_from(Review)
            .where(~select(Enrollment.id).where(Enrollment.user_id == Review.user_id).exists())
        )
        # Attempt k is the k-th answer of the item by the learner, in time order, and ids follow time.
        misnumbered = connection.scalar(text(
            "SELECT count(*) FROM (SELECT attempt, state_before, "
            "row_number() OVER (PARTITION BY user_id, item_id ORDER BY reviewed_at) AS by_time, "
            "row_number() OVER (PARTITION BY user_id, item_id ORDER BY id) AS by_id FROM reviews) AS numbered "
            "WHERE attempt <> by_time OR attempt <> by_id OR (attempt = 1) <> (state_before = 0)"
        ))
        presentations = connection.execute(
            select(func.count(), func.count(Review.presentation_id.distinct())).select_from(Review)
        ).one()
        states = connection.execute(select(ItemState.__table__)).all()
        counts = {
            f"{user_id}:{item_id}": count
            for user_id, item_id, count in connection.execute(
                select(Review.user_id, Review.item_id, func.count()).group_by(Review.user_id, Review.item_id)
            )
        }
        choice_rows = connection.execute(
            select(ReviewChoice.item_id, Review.item_id, Review.question_type, ReviewChoice.unsafe, Review.unsafe_chosen)
            .join(Review, Review.id == ReviewChoice.review_id)
        ).all()
        choice_reviews = connection.scalar(
            select(func.count()).select_from(Review).where(Review.question_type.in_(("mcq", "multi")))
        )
        with_choices = connection.scalar(select(func.count(ReviewChoice.review_id.distinct())))
    assert unenrolled == 0
    assert misnumbered == 0
    assert presentations[0] == presentations[1] == result.rows.reviews
    assert len(states) == result.rows.item_states == len(counts)
    for state in states:
        assert dt.datetime.fromisoformat(state.card["due"]) == state.due
        assert state.card["state"] == state.state and state.card["stability"] == state.stability
        assert dt.datetime.fromisoformat(state.card["last_review"]) == state.last_review
        assert state.reps == counts[f"{state.user_id}:{state.item_id}"]
        assert state.module == bank.get(state.item_id).module  # type: ignore[union-attr]
        assert state.due <= NOW + dt.timedelta(days=400) and state.last_review <= NOW
    assert with_choices == choice_reviews > 0  # every choice answer picked at least one option
    for choice_item, review_item, question_type, unsafe, unsafe_chosen in choice_rows:
        assert choice_item == review_item and question_type in {"mcq", "multi"}
        assert isinstance(bank.get(choice_item), ChoiceQuestion)
        assert unsafe <= unsafe_chosen  # an unsafe pick marks its review


def test_retention_and_answers_are_plausible(app: Flask, engine: Engine) -> None:
    _seed(app, students=25, days=30, seed=3)
    with engine.connect() as connection:
        retention = connection.scalar(
            select(func.avg(CORRECT)).where(Review.state_before == 2)
        )
        first_try = connection.scalar(
            select(func.avg(CORRECT)).where(Review.attempt == 1)
        )
        outcomes = set(connection.scalars(select(Review.result).distinct()))
        ratings = set(connection.scalars(select(Review.rating).distinct()))
        unsafe = connection.scalar(select(func.count()).select_from(ReviewChoice).where(ReviewChoice.unsafe.is_(True)))
        times = connection.execute(select(func.min(Review.response_ms), func.max(Review.response_ms))).one()
        sources = set(connection.scalars(select(Review.source).distinct()))
    assert 0.6 <= retention <= 0.97
    assert 0.3 <= first_try <= 0.85
    assert outcomes == {"correct", "partial", "incorrect"}
    assert ratings == {1, 2, 3, 4}
    assert unsafe > 0
    assert 1000 <= times[0] and times[1] <= 10 * 60 * 1000
    assert sources == {"synthetic"}


def test_workers_write_the_same_rows(app: Flask, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'parallel.sqlite3'}"
    upgrade(url)
    from webapp.platform.db import make_engine

    other = make_engine(url)
    students = 60
    alone = seed_school(app.extensions["db_engine"], app.extensions["bank"], students=students, days=6, seed=SEED,
                        now=NOW, password_hash="x", workers=1)
    together = seed_school(other, app.extensions["bank"], students=students, days=6, seed=SEED, now=NOW,
                           password_hash="x", workers=2)
    assert together.rows == alone.rows
    with other.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Review)) == alone.rows.reviews
    other.dispose()


def test_the_same_seed_twice_is_refused(app: Flask) -> None:
    _seed(app, students=2, days=2)
    with pytest.raises(SeedError, match="choose another --seed"):
        _seed(app, students=2, days=2)


def _run_cli(url: str, *args: str) -> Any:
    return CliRunner().invoke(seed_synthetic_command, ["--database-url", url, *args], catch_exceptions=False)


def test_cli_seeds_and_refuses_a_real_school(database_url: str) -> None:
    outcome = _run_cli(database_url, "--students", "3", "--days", "3", "--seed", "5", "--now", "2026-11-20T12:00:00")
    assert outcome.exit_code == 0, outcome.output
    assert "1 class(es), 3 student(s)" in outcome.output and "synthetic-password" in outcome.output
    from webapp.platform.db import make_engine

    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(User.__table__.insert().values(
            email="real@example.com", display_name="Real", role="student", password_hash="x",
            created_at=NOW, is_demo=False,
        ))
        before = connection.scalar(select(func.count()).select_from(Review))
    refused = _run_cli(database_url, "--students", "3", "--days", "3", "--seed", "6")
    assert refused.exit_code != 0 and "1 real (non-demo) account" in refused.output
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Review)) == before
    forced = _run_cli(database_url, "--students", "2", "--days", "2", "--seed", "6", "--force")
    assert forced.exit_code == 0, forced.output
    engine.dispose()


@pytest.mark.parametrize("arguments, message", [
    (["--students", "0", "--days", "3"], "--students"),
    (["--students", "3", "--days", "3", "--classes", "many"], "'auto' or a whole number"),
    (["--students", "3", "--days", "3", "--database-url", "nonsense://x"], "cannot open the database"),
])
def test_cli_bad_input_is_a_message(database_url: str, arguments: list[str], message: str) -> None:
    outcome = _run_cli(database_url, *arguments)
    assert outcome.exit_code in (1, 2) and message in outcome.output
    assert "Traceback" not in outcome.output


@SQLITE_ONLY  # the simulation alone, no database: the app is only the bank's source
def test_the_planner_picks_the_same_through_the_card_view(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The due-soon view (cardview) must give the planner's very choice on the full cards, at every step."""
    import webapp.tools.synthetic.simulate as simulate
    from webapp.tools.synthetic.cardview import CardView

    real = simulate.plan_next
    steps: list[str | None] = []

    def checked(cards: CardView, *args: Any, **kwargs: Any) -> Any:
        fast = real(cards, *args, **kwargs)
        full = real(dict(cards.cards), *args, **kwargs)
        assert (fast.next and fast.next.id) == (full.next and full.next.id)
        steps.append(fast.next and fast.next.id)
        return fast

    monkeypatch.setattr(simulate, "plan_next", checked)
    histories = _pure_histories(app.extensions["bank"], students=3, days=20)
    assert len(steps) >= sum(len(h.reviews) for h in histories) > 200


@SQLITE_ONLY  # the simulation alone, no database: the app is only the bank's source
def test_every_simulated_answer_scores_as_score_answer_scores_it(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The memoised scoring (synthetic.scoring) must agree with the web app's own `score_answer`."""
    import webapp.tools.synthetic.simulate as simulate
    from webapp.records.scoring import score_answer

    real = simulate.score
    compared: list[int] = []

    def checked(*args: Any) -> Any:
        fuzz = random.getstate()  # fsrs fuzzes intervals from the global generator: same draw for both
        fast = real(*args)
        random.setstate(fuzz)
        assert score_answer(*args) == fast
        compared.append(1)
        return fast

    monkeypatch.setattr(simulate, "score", checked)
    histories = _pure_histories(app.extensions["bank"], students=3, days=15)
    assert len(compared) == sum(len(h.reviews) for h in histories) > 200
