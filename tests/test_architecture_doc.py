"""ARCHITECTURE.md stays true: every path and dotted name it writes in `code style` exists in the tree."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
PACKAGES = ("course", "quizzes", "decks", "webapp", "commands")


def _code_spans() -> list[str]:
    return re.findall(r"`([^`\n]+)`", DOC.read_text(encoding="utf-8"))


def _resolves(dotted: str) -> bool:
    """A module, or an attribute of the longest importable module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(target, name):
                return False
            target = getattr(target, name)
        return True
    return False


def test_every_path_in_the_architecture_doc_exists() -> None:
    paths = [span for span in _code_spans() if "/" in span and not span.startswith(("GET ", "POST ", "/"))
             and " " not in span]
    assert len(paths) >= 10, paths  # the doc names the packages by path
    missing = [path for path in paths if not (ROOT / path.replace("<module>", "neck-safety")).exists()]
    assert not missing, f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_every_dotted_name_in_the_architecture_doc_exists() -> None:
    names = [span for span in _code_spans() if re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", span)
             and span.split(".")[0] in PACKAGES]
    assert len(names) >= 30, names
    missing = [name for name in names if not _resolves(name)]
    assert not missing, f"ARCHITECTURE.md names modules or functions that do not exist: {missing}"


def test_the_checker_would_see_a_stale_name() -> None:
    assert _resolves("webapp.records.answers.record_answer")
    assert not _resolves("webapp.study.service.record_answer")  # where the answer path used to live
    assert not _resolves("webapp.records.answers.no_such_function")
