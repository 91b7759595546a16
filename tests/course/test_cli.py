"""`massage-course check` (a summary and the review figures, or every problem and exit 1) and `review-sheet`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

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


def test_check_prints_the_review_figures_of_the_real_course() -> None:
    # Issue 15's "done when": the counts are printed, and they meet the targets.
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines() if line.startswith("  ")}
    assert "near-duplicate groups: 0 (0 items)" in lines["near-duplicate groups"]
    share = float(re.search(r"\(([\d.]+)%\)", lines["attribution"]).group(1))  # type: ignore[union-attr]
    assert share <= 8.0
    true = int(re.search(r"\((\d+)%\)", lines["true/false keyed True"]).group(1))  # type: ignore[union-attr]
    assert 40 <= true <= 60
    scenarios = int(re.search(r"scenario items: (\d+)", lines["scenario items"]).group(1))  # type: ignore[union-attr]
    assert scenarios >= 40
    for module in ("endangerment-sites", "nerve-injury", "post-massage-soreness", "neck-safety"):
        assert re.search(rf"^  {module}: \d+ items \(", result.output, re.M), module
    assert "errors: 0" in lines["warnings"]


def test_review_sheet_escapes_content_and_groups_by_module(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(VALID, content)
    questions = content / "mod" / "questions.yaml"
    questions.write_text(questions.read_text().replace("Which is right?", "Which is <script>alert(1)</script> right?"))
    out = tmp_path / "sheet.html"
    result = CliRunner().invoke(main, ["review-sheet", "--content", str(content), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<h2 id="mod">' in html and 'id="pick-one"' in html and 'id="find-the-elbow"' in html
    assert "✔ The right one" in html and "(unsafe)" in html
    assert "Key: body-map region medial-epicondyle" in html


def test_review_sheet_reports_broken_content_without_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review-sheet", "--content", str(BROKEN), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and not (tmp_path / "x.html").exists()
