"""`massage-course check` (a summary and the review figures, or every problem and exit 1) and `review-sheet`."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from commands import main
from course.loader import DEFAULT_CONTENT
from tests.course.test_loader import BROKEN, EXPECTED, VALID

needs_objectives = pytest.mark.skipif(
    not list(DEFAULT_CONTENT.glob("*/objectives.yaml")), reason="content branches with objectives not merged yet")


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


def test_check_prints_issue_21s_figures_per_module_and_overall() -> None:
    # Printed whether or not the content meets the limits (it does not until the content branches merge).
    result = CliRunner().invoke(main, ["check"])
    for name in ("endangerment-sites", "nerve-injury", "post-massage-soreness", "neck-safety", "all"):
        assert re.search(rf"^  {name}: objectives \d+ declared, \d+ tested; .* sibling groups \d+; "
                         rf"reviewed \d+, failed \d+, unreviewed \d+, stale \d+$", result.output, re.M), name
        assert re.search(rf"^  {name}: test-wise \d+% vs chance \d+% \(limit \d+%; longest \d+%, hedged \d+%, "
                         rf"overlap \d+%; \d+ mcq\); key/longest distractor max [\d.]+, \d+ over 1.3; "
                         rf"true/false tone \d+% \(limit 60%", result.output, re.M), name
    assert re.search(r"^  attribution: \d+ items \([\d.]+%\)", result.output, re.M)


def test_review_record_appends_a_verdict_and_a_changed_item_goes_stale(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(VALID, content)
    digest = CliRunner().invoke(main, ["review", "digest", "pick-one", "--content", str(content)])
    assert digest.exit_code == 0 and re.fullmatch(r"[0-9a-f]{16}\n", digest.output)
    result = CliRunner().invoke(main, ["review", "record", "pick-one", "--verdict", "pass", "--note", "Fine.",
                                       "--content", str(content)])
    assert result.exit_code == 0, result.output
    assert "reviewed 1, failed 0, unreviewed 2, stale 0" in CliRunner().invoke(
        main, ["check", "--content", str(content)]).output
    failed = CliRunner().invoke(main, ["review", "record", "find-the-elbow", "--verdict", "fail", "--note",
                                       "Distractor B is a strawman.", "--content", str(content)])
    assert failed.exit_code == 0, failed.output
    warned = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert warned.exit_code == 0 and "find-the-elbow: failed review on" in warned.output and "warnings: 1" in warned.output
    assert "Distractor B is a strawman." in warned.output and "reviewed 1, failed 1, unreviewed 1" in warned.output
    questions = content / "mod" / "questions.yaml"
    questions.write_text(questions.read_text().replace("It is right.", "It is the right one."))
    stale = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert stale.exit_code == 1 and "pick-one: changed since its last review" in stale.output
    sheet = tmp_path / "sheet.html"
    CliRunner().invoke(main, ["review-sheet", "--content", str(content), "--out", str(sheet)])
    assert "(stale)" in sheet.read_text() and "unreviewed" in sheet.read_text()
    unknown = CliRunner().invoke(main, ["review", "record", "no-such-item", "--verdict", "pass", "--content", str(content)])
    assert unknown.exit_code == 1 and "unknown item 'no-such-item'" in unknown.output


@needs_objectives
def test_check_prints_the_review_figures_of_the_real_course() -> None:
    # Issue 15's "done when": the counts are printed, and they meet the targets.
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0, result.output
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines() if line.startswith("  ")}
    assert "near-duplicate groups: 0 (0 items)" in lines["near-duplicate groups"]
    share = float(re.search(r"\(([\d.]+)%\)", lines["attribution"]).group(1))  # type: ignore[union-attr]
    assert share <= 5.0
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
    questions.write_text(questions.read_text().replace("Which is correct?", "Which is <script>alert(1)</script> correct?"))
    out = tmp_path / "sheet.html"
    result = CliRunner().invoke(main, ["review-sheet", "--content", str(content), "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<h2 id="mod">' in html and 'id="pick-one"' in html and 'id="find-the-elbow"' in html
    assert "✔ The right one" in html and "(unsafe)" in html
    assert "Key: body-map region medial-epicondyle" in html


def test_a_blind_sheet_shows_items_as_learners_see_them_and_nothing_that_names_the_key(tmp_path: Path) -> None:
    out, full = tmp_path / "blind.html", tmp_path / "full.html"
    result = CliRunner().invoke(main, ["review-sheet", "--content", str(VALID), "--out", str(out), "--blind",
                                       "--item", "pick-one"])
    assert result.exit_code == 0, result.output
    html = out.read_text()
    assert "Which is correct?" in html and all(f"<li>{text}</li>" in html for text in
                                               ("The right one", "The wrong one", "The other one"))
    for told in ("pick-one", "✔", "✘", "It is right.", "(unsafe)", "Because.", "first-lesson", "review:",
                 "Where is the ulnar nerve"):  # the id, marks, reasons, explanation, lesson, review state, others
        assert told not in html, told
    assert '<span class="id">Item 1</span>' in html
    CliRunner().invoke(main, ["review-sheet", "--content", str(VALID), "--out", str(out), "--blind",
                              "--item", "find-the-elbow"])
    hotspot = out.read_text()  # as the study page offers it: the drawing and regions by position, never by name
    assert "Region 1 of" in hotspot and "<svg" in hotspot
    assert "epicondyle" not in hotspot.lower() and "data-region" not in hotspot and "<title" not in hotspot.split("<body>")[1]
    CliRunner().invoke(main, ["review-sheet", "--content", str(VALID), "--out", str(full), "--item", "pick-one"])
    assert "Item 1: pick-one" in full.read_text() and "✔ The right one" in full.read_text()
    unknown = CliRunner().invoke(main, ["review-sheet", "--content", str(VALID), "--out", str(tmp_path / "x.html"),
                                        "--blind", "--item", "no-such-item"])
    assert unknown.exit_code == 1 and "unknown item 'no-such-item'" in unknown.output
    assert not (tmp_path / "x.html").exists()


def test_review_sheet_reports_broken_content_without_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["review-sheet", "--content", str(BROKEN), "--out", str(tmp_path / "x.html")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and not (tmp_path / "x.html").exists()
