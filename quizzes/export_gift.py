"""The bank as GIFT, the plain-text question format Moodle (and others) import.

One question per block, blocks separated by a blank line, each named `::id::`
(its name in Moodle's question bank) with `[id:<id>]` in the comment line above
it, which Moodle's GIFT importer takes as the question's ID number. Neither
makes a re-import update anything: Moodle's import always adds new questions,
so importing the file again duplicates them (and Moodle refuses an ID number
already used in the category): re-import into a new or emptied category.
Modules become `$CATEGORY:` lines. Mapping of types:

- mcq -> multiple choice (`=right ~wrong`, each with `#feedback`);
- multi -> multiple choice with weights: each right option `~%w%` with w = 100 / right
  options, each wrong one `~%-w%`, the same scoring as `quizzes.grading`;
- truefalse -> `{TRUE}` / `{FALSE}`;
- cloze -> short answer: GIFT has one answer set per question, so a cloze with
  several blanks becomes one question per blank (`<id>-blank-<n>`), the other
  blanks filled in with their first answer;
- matching -> `{=left -> right ...}`;
- hotspot -> multiple choice of site names (see `quizzes.export_common`).

The explanation (after a true/false item's reason) and the sources' citations
go in the general feedback (`####`).
"""

from __future__ import annotations

import re

from course.models import CLOZE_BLANK
from quizzes.bank import Bank
from quizzes.export_common import category, exportable, general_feedback
from quizzes.questions import ChoiceQuestion, ClozeQuestion, MatchingQuestion, Question, TrueFalseQuestion

_SPECIAL = re.compile(r"([~=#{}:\\])")


def escape(text: str) -> str:
    """`text` safe inside GIFT: special characters backslashed, newlines as `\\n`, no `->`."""
    text = _SPECIAL.sub(r"\\\1", text.replace("->", "→"))
    return text.replace("\r\n", "\n").replace("\n", r"\n")


def weight(value: float) -> str:
    """A GIFT answer weight: at most 5 decimals, no trailing zeros."""
    return f"{value:.5f}".rstrip("0").rstrip(".")


def to_gift(bank: Bank) -> str:
    """The whole bank as GIFT text."""
    blocks: list[str] = []
    current = None
    for question in exportable(bank):
        where = category(question, bank.course)
        if where != current:
            blocks.append(f"$CATEGORY: $course$/top/{where}")
            current = where
        feedback = general_feedback(question, bank.course)
        if isinstance(question, TrueFalseQuestion):
            feedback = f"{question.reason}\n\n{feedback}"
        blocks.extend(_blocks(question, "####" + escape(feedback)))
    return "\n\n".join(blocks) + "\n"


def _blocks(question: Question, feedback: str) -> list[str]:
    head = f"// [id:{question.id}] {question.type}, {question.origin}, mblex {question.mblex}\n::{escape(question.id)}::"
    if isinstance(question, ChoiceQuestion):
        return [f"{head}{escape(question.stem)} {{\n{_choices(question)}\n{feedback}\n}}"]
    if isinstance(question, TrueFalseQuestion):
        answer = "TRUE" if question.answer else "FALSE"
        return [f"{head}{escape(question.stem)} {{{answer}{feedback}}}"]
    if isinstance(question, MatchingQuestion):
        pairs = "\n".join(f"={escape(p.left)} -> {escape(p.right)}" for p in question.pairs)
        return [f"{head}{escape(question.stem)} {{\n{pairs}\n{feedback}\n}}"]
    if isinstance(question, ClozeQuestion):
        return _cloze(question, feedback)
    raise TypeError(f"no GIFT form for {question.type}")  # hotspots were turned into choices


def _choices(question: ChoiceQuestion) -> str:
    if question.type == "mcq":
        return "\n".join(f"{'=' if o.correct else '~'}{escape(o.text)}#{escape(o.why)}" for o in question.options)
    share = 100 / len(question.correct_ids)
    return "\n".join(
        f"~%{weight(share if o.correct else -share)}%{escape(o.text)}#{escape(o.why)}" for o in question.options
    )


def _cloze(question: ClozeQuestion, feedback: str) -> list[str]:
    blocks = []
    count = len(question.blanks)
    for number in range(1, count + 1):
        def fill(match: re.Match[str], number: int = number) -> str:
            index = int(match.group(1))
            if index == number:
                return "\0"
            return question.blanks[index - 1][0]

        text = escape(CLOZE_BLANK.sub(fill, question.text))
        answers = " ".join(f"={escape(answer)}" for answer in question.blanks[number - 1])
        name = question.id if count == 1 else f"{question.id}-blank-{number}"
        stem = escape(question.stem) + r"\n" if question.stem and question.stem != question.text else ""
        body = text.replace("\0", f"{{{answers}{feedback}}}")
        blocks.append(f"// [id:{name}] cloze, {question.origin}, mblex {question.mblex}\n::{escape(name)}::{stem}{body}")
    return blocks
