"""`massage-course verify` recounts the activity rollups: a synthetic school checks clean, a tampered row is named."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask import Flask
from sqlalchemy import delete, select, update

from commands import main
from tests.webapp.tools.integrity.helpers import fill
from webapp.platform.db import get_session
from webapp.platform.models import Review, ReviewActivity
from webapp.records.activity import Counts
from webapp.tools.integrity.activity import ActivityReport, Difference, verify_activity

LINE = re.compile(r"^\d+:activity@\S+: stored .+ recomputed .+$")


def _run(app: Flask) -> tuple[list[Difference], ActivityReport]:
    found = list(verify_activity(app.extensions["db_engine"]))
    report = found[-1]
    assert isinstance(report, ActivityReport)
    return [d for d in found if isinstance(d, Difference)], report


def test_a_synthetic_school_recounts_clean(app: Flask) -> None:
    fill(app)  # written by the bulk writer, whose rollups come from the set-based rebuild
    differences, report = _run(app)
    assert differences == [] and report.ok
    assert report.users == 4 and report.rows > 10


def test_tampered_missing_and_stray_rows_are_named(app: Flask) -> None:
    fill(app)
    with app.app_context():
        session = get_session()
        rows = session.execute(select(ReviewActivity.user_id, ReviewActivity.bucket)
                               .order_by(ReviewActivity.user_id, ReviewActivity.bucket).limit(2)).all()
        (user, changed), (_, lost) = rows
        session.execute(update(ReviewActivity).where(ReviewActivity.user_id == user, ReviewActivity.bucket == changed)
                        .values(passed=ReviewActivity.passed + 1))
        session.execute(delete(ReviewActivity).where(ReviewActivity.user_id == user, ReviewActivity.bucket == lost))
        # A review deleted behind the ORM's back (plain SQL) leaves its count standing.
        stray = session.scalar(select(Review).where(Review.user_id != user).order_by(Review.reviewed_at.desc()).limit(1))
        assert stray is not None
        stray_user, stray_at = stray.user_id, stray.reviewed_at
        session.execute(delete(Review).where(Review.id == stray.id))
        session.commit()
    differences, report = _run(app)
    assert not report.ok
    by_key = {(d.user_id, d.bucket): d for d in differences}
    assert set(by_key) >= {(user, changed), (user, lost)} and len(by_key) == 3
    tampered = by_key[(user, changed)]
    assert tampered.stored is not None and tampered.recomputed is not None
    assert tampered.stored == tampered.recomputed._replace(passed=tampered.recomputed.passed + 1)
    assert by_key[(user, lost)].stored is None and by_key[(user, lost)].recomputed is not None
    (stray_difference,) = [d for d in differences if d.user_id == stray_user]
    assert stray_difference.bucket <= stray_at and isinstance(stray_difference.stored, Counts)
    assert stray_difference.stored.reviews == (stray_difference.recomputed or Counts()).reviews + 1
    assert all(LINE.match(str(d)) for d in differences), [str(d) for d in differences]


def test_the_cli_fails_on_a_tampered_row(app: Flask) -> None:
    fill(app, students=2, days=5)
    url = app.config["DATABASE_URL"]
    clean = CliRunner().invoke(main, ["verify", "--database-url", url])
    assert clean.exit_code == 0, clean.output
    assert "0 differences" in clean.output
    with app.app_context():
        session = get_session()
        session.execute(update(ReviewActivity).values(reviews=ReviewActivity.reviews + 1))
        session.commit()
    result = CliRunner().invoke(main, ["verify", "--database-url", url])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if ": stored " in line]
    assert lines and all(LINE.match(line) for line in lines)
