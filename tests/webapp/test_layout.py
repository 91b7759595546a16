"""The shape of webapp/: few rooms, each saying what it holds, each named in the layers contract."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEBAPP = ROOT / "webapp"
NOT_CODE = {"templates", "static", "migrations", "__pycache__"}
MAX_ENTRIES = 18


def _entries() -> list[Path]:
    return sorted(p for p in WEBAPP.iterdir() if p.name not in NOT_CODE and not p.name.endswith(".egg-info"))


def _layered() -> set[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    named: set[str] = set()
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract.get("type") == "layers" and contract.get("containers") == ["webapp"]:
            for layer in contract["layers"]:
                named.update(part.strip() for part in layer.replace(":", "|").split("|"))
    return named


def test_webapp_has_at_most_eighteen_entries_besides_templates_static_and_migrations() -> None:
    entries = _entries()
    assert len(entries) <= MAX_ENTRIES, [p.name for p in entries]


def test_each_entry_says_in_its_first_docstring_line_what_it_holds() -> None:
    for entry in _entries():
        source = entry / "__init__.py" if entry.is_dir() else entry
        docstring = ast.get_docstring(ast.parse(source.read_text(encoding="utf-8")))
        assert docstring and len(docstring.splitlines()[0]) > 20, f"{source} needs a one-line docstring"


def test_every_package_of_webapp_is_named_in_the_layers_contract() -> None:
    packages = {p.name for p in _entries() if p.is_dir()}
    layered = _layered()
    assert packages - layered == set(), f"name these packages in the webapp layers contract: {packages - layered}"
    assert layered - packages == set(), f"the contract names packages that do not exist: {layered - packages}"


def test_the_contract_reader_sees_a_missing_package(tmp_path: Path) -> None:
    # The check above is only as good as `_layered`: it must find the contract and split its layers.
    layered = _layered()
    assert {"platform", "records", "study", "tools"} <= layered and "webapp" not in layered
