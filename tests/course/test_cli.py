"""`massage-course check`: a summary and exit 0, or every problem and exit 1."""

from __future__ import annotations

from click.testing import CliRunner

from commands import main
from tests.course.test_loader import BROKEN, EXPECTED, VALID


def test_check_valid_prints_summary() -> None:
    result = CliRunner().invoke(main, ["check", "--content", str(VALID)])
    assert result.exit_code == 0, result.output
    assert "authored questions: 2 (hotspot 1, mcq 1)" in result.output
    assert "facts: 1 endangerment sites, 1 structures at risk" in result.output


def test_check_broken_lists_every_problem_and_fails() -> None:
    result = CliRunner().invoke(main, ["check", "--content", str(BROKEN)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[:-1] == EXPECTED
    assert lines[-1] == f"{len(EXPECTED)} problems found"
    assert "Traceback" not in result.output


def test_help_lists_subcommands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "check" in result.output and "serve" in result.output
