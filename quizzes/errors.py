"""The quizzes package's one base exception.

Only the CLI (and the web app's start-up) turns it into a user-facing message;
inside the package it carries every problem found, not just the first.
"""

from __future__ import annotations


class QuizError(Exception):
    """The bank could not be built (or an argument to the engine was unusable).

    Attributes:
        problems: one line per problem, in a stable order.
    """

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        count = len(self.problems)
        lines = [*self.problems, f"{count} problem{'s' if count != 1 else ''} found"] if count > 1 else self.problems
        super().__init__("\n".join(lines))
