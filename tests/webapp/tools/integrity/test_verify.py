"""`massage-course verify`: a consistent synthetic history checks clean; each kind of tampering is named."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete, func, select, update

from commands import main
from tests.webapp.tools.integrity.helpers import fill
from webapp.platform.db import get_session
from webapp.platform.models import ItemState, Review
from webapp.tools.integrity.verify import Mismatch, Report, verify

LINE = re.compile(r"^\d+:[\w-]+: stored .+ recomputed .+$")


def _run(app: Flask) -> tuple[list[Mismatch], Report]:
    found = list(verify(app.extensions["db_engine"]))
    report = found[-1]
    assert isinstance(report, Report)
    return [m for m in found if isinstance(m, Mismatch)], report


def _states(app: Flask, state: int, count: int = 1) -> list[tuple[int, str]]:
    with app.app_context():
        rows = get_session().execute(
            select(ItemState.user_id, ItemState.item_id).where(ItemState.state == state)
            .order_by(ItemState.user_id, ItemState.item_id).limit(count)
        ).all()
    assert len(rows) == count, f"the synthetic history has too few items in state {state}"
    return [(u, i) for u, i in rows]


def test_a_synthetic_history_verifies_clean(app: Flask) -> None:
    fill(app)
    mismatches, report = _run(app)
    assert mismatches == []
    assert report.ok and report.users == 4 and report.states > 50 and report.reviews > report.states


def test_tampering_is_reported_item_by_item(app: Flask) -> None:
    fill(app)
    (reps_user, reps_item), (due_user, due_item) = _states(app, 2, 2)
    learning = _states(app, 1)
    with app.app_context():
        session = get_session()
        session.execute(update(ItemState).where(ItemState.user_id == reps_user, ItemState.item_id == reps_item)
                        .values(reps=ItemState.reps + 1))
        state = session.get(ItemState, (due_user, due_item))
        assert state is not None
        state.due = state.due + dt.timedelta(days=900)
        lost_user, lost_item = learning[0]
        last = session.scalar(select(func.max(Review.id)).where(Review.user_id == lost_user, Review.item_id == lost_item))
        session.execute(delete(Review).where(Review.id == last))  # an answer lost
        session.commit()
    mismatches, report = _run(app)
    assert not report.ok
    by_key = {(m.user_id, m.item_id): m for m in mismatches}
    assert set(by_key) == {(reps_user, reps_item), (due_user, due_item), (lost_user, lost_item)}
    assert by_key[(reps_user, reps_item)].stored == {"reps": by_key[(reps_user, reps_item)].recomputed["reps"] + 1}
    assert set(by_key[(due_user, due_item)].stored) == {"due"}
    assert "reps" in by_key[(lost_user, lost_item)].stored
    for mismatch in mismatches:
        assert LINE.match(str(mismatch)), str(mismatch)


def test_a_changed_rating_and_an_orphan_state_are_reported(app: Flask) -> None:
    fill(app)
    with app.app_context():
        session = get_session()
        row = session.scalar(select(Review).where(Review.rating == 1).order_by(Review.id.desc()).limit(1))
        assert row is not None
        row.rating = 4
        user, item = row.user_id, row.item_id
        broken = session.scalar(select(Review).where(Review.user_id != user).order_by(Review.id).limit(1))
        assert broken is not None
        broken.rating = 9  # no such button: the replay must say so, not crash
        session.add(ItemState(user_id=user, item_id="made-up-item", card={}, due=row.reviewed_at, state=2, reps=3,
                              lapses=0))
        session.commit()
    found = {(m.user_id, m.item_id): m for m in _run(app)[0]}
    assert (user, item) in found and (user, "made-up-item") in found
    assert "impossible" in str(found[(broken.user_id, broken.item_id)])


def test_a_tampered_rollup_is_reported(app: Flask) -> None:
    fill(app)
    with app.app_context():
        session = get_session()
        picked = session.scalar(select(ItemState).where(ItemState.unsafe_picks > 0).order_by(ItemState.user_id).limit(1))
        answered = session.scalar(select(ItemState).where(ItemState.unsafe_picks == 0, ItemState.first_correct.is_(True))
                                  .order_by(ItemState.user_id, ItemState.item_id).limit(1))
        assert picked is not None and answered is not None, "the synthetic history has no unsafe pick"
        tampered = {(picked.user_id, picked.item_id): ("unsafe_picks", picked.unsafe_picks + 1, "last_unsafe"),
                    (answered.user_id, answered.item_id): ("first_correct", False, "last_unsafe")}
        picked.unsafe_picks += 1
        answered.first_correct = False
        answered.last_unsafe = True
        session.commit()
    mismatches, report = _run(app)
    assert not report.ok
    assert {(m.user_id, m.item_id) for m in mismatches} == set(tampered)
    for mismatch in mismatches:
        name, value, _ = tampered[(mismatch.user_id, mismatch.item_id)]
        assert mismatch.stored[name] == value and name in str(mismatch)
    assert set(next(m for m in mismatches if (m.user_id, m.item_id) == (answered.user_id, answered.item_id)).stored) == {
        "first_correct", "last_unsafe"}


@pytest.mark.parametrize("tamper", [False, True])
def test_cli_exit_status(app: Flask, tamper: bool) -> None:
    fill(app, students=2, days=5)
    if tamper:
        with app.app_context():
            session = get_session()
            session.execute(update(ItemState).values(lapses=ItemState.lapses + 1))
            session.commit()
    result = CliRunner().invoke(main, ["verify", "--database-url", app.config["DATABASE_URL"]])
    if tamper:
        assert result.exit_code == 1
        lines = [line for line in result.output.splitlines() if ": stored " in line]
        assert lines and all(LINE.match(line) and "lapses=" in line for line in lines)
    else:
        assert result.exit_code == 0, result.output
        assert "0 mismatches" in result.output
