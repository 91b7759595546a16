"""Problems found in content files, reported as `path:line: field: message`.

The loader never stops at the first problem: it collects them all, so an author
fixes a whole batch in one pass, as python/peps' check-peps.py does.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, located to a file and line."""

    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class CourseError(Exception):
    """Base exception of the course package: the content did not load."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = [str(problem) for problem in self.problems]
        lines.append(f"{count} problem{'s' if count != 1 else ''} found")
        super().__init__("\n".join(lines))
