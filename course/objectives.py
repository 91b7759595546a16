"""Cross-file rules of learning objectives: the unit every item tests.

- Objective ids are unique across the course, and an objective's sources exist.
- An item's `objective` is declared in its own module's `kind: objectives` file.
- Once a module declares objectives, every item of it names one (a module with
  none yet is reported by `massage-course check`, not here, so that loading
  content written before objectives keeps working).
- Every declared objective is tested by at least one item.
- Siblings (two or more items of one objective) each carry a distinct `angle`:
  asking the same thing the same way twice is a duplicate, not practice.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from course.problems import Problem
from course.yamlfile import Loc, YamlFile, format_loc

if TYPE_CHECKING:
    from course.loader import _Collected


def check_objectives(c: _Collected, source_ids: set[str]) -> list[Problem]:
    """Every objective problem in the collected content."""
    problems: list[Problem] = []

    def at(file: YamlFile, loc: Loc, message: str) -> None:
        problems.append(Problem(file.path, file.line_of(loc), format_loc(loc), message))

    module_of: dict[str, str] = {}
    for file, loc, module, objective in c.objectives:
        if objective.id in module_of:
            at(file, loc + ("id",), f"duplicate objective id '{objective.id}'")
        module_of.setdefault(objective.id, module)
        for index, source in enumerate(objective.sources):
            if source not in source_ids:
                at(file, loc + ("sources", index), f"unknown source '{source}'")
    with_objectives = set(module_of.values())
    tested: dict[str, list[tuple[YamlFile, Loc, Any]]] = defaultdict(list)
    for file, loc, module, question in c.questions:
        if question.objective is None:
            if module in with_objectives:
                at(file, loc + ("id",), f"names no objective (module '{module}' declares its objectives)")
            continue
        if question.objective not in module_of:
            at(file, loc + ("objective",), f"unknown objective '{question.objective}'")
        elif module_of[question.objective] != module:
            at(file, loc + ("objective",), f"objective '{question.objective}' belongs to module "
                                           f"'{module_of[question.objective]}', not '{module}'")
        else:
            tested[question.objective].append((file, loc, question))
    for file, loc, _, objective in c.objectives:
        if not tested.get(objective.id):
            at(file, loc + ("id",), f"objective '{objective.id}' is tested by no item")
    for objective_id, items in tested.items():
        if len(items) < 2:
            continue
        seen: dict[str, str] = {}
        for file, loc, question in items:
            if question.angle is None:
                at(file, loc + ("id",), f"needs an angle: it shares objective '{objective_id}' with other items")
            elif question.angle in seen:
                at(file, loc + ("angle",), f"angle '{question.angle}' of objective '{objective_id}' is "
                                           f"already taken by '{seen[question.angle]}'")
            else:
                seen[question.angle] = question.id
    return problems
