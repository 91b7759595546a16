"""The capacity and exam-rush benchmarks run end to end on a tiny school (a smoke test: no timing is asserted)."""

from __future__ import annotations

import datetime as dt
import socket
import sys
from pathlib import Path

import pytest

from benchmarks import bench_capacity, bench_rush
from webapp import create_app
from webapp.accounts.auth.passwords import hash_password
from webapp.platform.migrate import upgrade
from webapp.tools.synthetic.cli import SYNTHETIC_PASSWORD
from webapp.tools.synthetic.seed import seed_school


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Six synthetic students with five days of history, in an SQLite file of their own."""
    url = f"sqlite:///{tmp_path_factory.mktemp('school') / 'school.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "smoke", "DEMO_DATA": False})
    try:
        seed_school(app.extensions["db_engine"], app.extensions["bank"], students=6, days=5, seed=3,
                    now=dt.datetime.now(dt.timezone.utc), password_hash=hash_password(SYNTHETIC_PASSWORD))
    finally:
        app.extensions["db_engine"].dispose()
    return url


def _free_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return str(probe.getsockname()[1])


def test_the_capacity_ramp_holds_a_count_and_splits_the_cpu(school: str, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", [
        "bench_capacity", "--database-url", school, "--port", _free_port(), "--start", "2", "--step", "2",
        "--max-students", "4", "--settle", "0.5", "--probe", "1", "--hold", "1", "--think", "0.5",
        "--limit-ms", "60000", "--progress-share", "1", "--rate-share", "1", "--seed", "5"])
    bench_capacity.main()
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("| 2 |", "| 4 |"))]
    assert len(rows) >= 3 and rows[-1].endswith("| held |")  # two ramp windows, then the confirming hold
    assert "students held 1 s" in out and "students per app core" in out and "Moodle 4.5 quiz" in out
    assert "error at" not in out


def test_the_exam_rush_starts_begins_and_answers(school: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", [
        "bench_rush", "--database-url", school, "--port", _free_port(), "--sizes", "2,4", "--max-n", "4",
        "--spread", "0.5", "--after", "0.5", "--length", "20", "--answers", "2", "--exam-think", "0.3",
        "--extra-runs", "0", "--limit-ms", "60000", "--seed", "5"])
    bench_rush.main()
    out = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith(("| 2 |", "| 4 |"))}
    assert set(rows) == {"2", "4"}
    assert all(cell.strip() != "–" for row in rows.values() for cell in row.split("|")[2:5])  # start, begin, answer
    assert "error" not in out.split("single requests", 1)[1]
    assert "largest N measured with every click's p99 under 60000 ms: 4" in out


def test_without_a_database_they_say_so(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("BENCH_SERVING_DATABASE_URL", raising=False)
    for module in (bench_capacity, bench_rush):
        monkeypatch.setattr(sys, "argv", [module.__name__])
        module.main()
    assert capsys.readouterr().out.count("skipped, no --database-url") == 2
    assert Path(bench_capacity.__file__).parent.name == "benchmarks"
