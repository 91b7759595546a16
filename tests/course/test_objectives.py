"""Objectives as the unit (issue 21): each cross-file rule reports the item or objective that breaks it."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from commands import main
from course import check_course
from tests.course.test_loader import FIXTURES

OBJECTIVES = FIXTURES / "objectives"
O = f"{OBJECTIVES}/mod"

EXPECTED = [
    f"{O}/objectives.yaml:8: objectives[1].id: duplicate objective id 'move-off-a-pulse'",
    f"{O}/objectives.yaml:12: objectives[2].id: objective 'never-tested' is tested by no item",
    f"{O}/objectives.yaml:15: objectives[2].sources[0]: unknown source 'no-such-paper'",
    f"{O}/questions.yaml:22: questions[1].angle: angle 'recognise' of objective 'move-off-a-pulse' is already taken "
    "by 'pulse-recognise'",
    f"{O}/questions.yaml:30: questions[2].id: needs an angle: it shares objective 'move-off-a-pulse' with other items",
    f"{O}/questions.yaml:41: questions[3].id: names no objective (module 'mod' declares its objectives)",
    f"{O}/questions.yaml:54: questions[4].objective: unknown objective 'no-such-objective'",
]


def test_every_objective_rule_reports_its_line() -> None:
    course, problems = check_course(OBJECTIVES)
    assert course is None
    assert [str(problem) for problem in problems] == EXPECTED


def test_an_item_may_not_name_another_modules_objective(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "mod").mkdir(parents=True)
    for name in ("course.yaml", "sources.yaml"):
        (content / name).write_text((OBJECTIVES / name).read_text())
    for name in ("module.yaml", "lesson.md", "facts.yaml", "questions.yaml"):
        (content / "mod" / name).write_text((OBJECTIVES / "mod" / name).read_text())
    (content / "mod" / "objectives.yaml").write_text(
        "kind: objectives\nmodule: other\nobjectives:\n  - id: move-off-a-pulse\n    text: T.\n"
        "    mblex: anatomy-physiology\n    sources: [paper-a]\n")
    (content / "other.yaml").write_text("kind: module\nid: other\ntitle: Other\nsummary: S.\norder: 2\n")
    _, problems = check_course(content)
    assert any("objective 'move-off-a-pulse' belongs to module 'other', not 'mod'" in str(p) for p in problems)


def test_a_module_without_objectives_still_loads_and_check_reports_it(tmp_path: Path) -> None:
    # Content written before objectives loads (the app keeps working); `massage-course check` fails on it.
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "mod" / "objectives.yaml").unlink()
    questions = content / "mod" / "questions.yaml"
    questions.write_text("".join(line for line in questions.read_text().splitlines(keepends=True)
                                 if "objective:" not in line))
    course, problems = check_course(content)
    assert course is not None and problems == []
    result = CliRunner().invoke(main, ["check", "--content", str(content)])
    assert result.exit_code == 1
    assert "mod: mod: declares no objectives (add a 'kind: objectives' file)" in result.output
