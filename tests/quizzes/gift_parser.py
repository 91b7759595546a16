"""A small GIFT reader for the tests: enough to check what `export_gift` wrote.

Independent of the exporter on purpose (it shares no code with it), so a test
that round-trips through it checks the format, not the exporter against itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class GiftQuestion:
    """One parsed GIFT question."""

    title: str
    category: str
    kind: str  # mcq, multi, truefalse, shortanswer, matching
    stem: str
    answers: list[tuple[str, float | None, str]] = field(default_factory=list)  # text, weight, feedback
    pairs: list[tuple[str, str]] = field(default_factory=list)
    truth: bool | None = None
    general_feedback: str = ""


def unescape(text: str) -> str:
    """GIFT escapes: backslash before a special character, `\\n` for a line break."""
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def split_unescaped(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is not preceded by a backslash escape."""
    parts, current, index = [], "", 0
    while index < len(text):
        if text[index] == "\\":
            current += text[index:index + 2]
            index += 2
        elif text.startswith(separator, index):
            parts.append(current)
            current, index = "", index + len(separator)
        else:
            current += text[index]
            index += 1
    parts.append(current)
    return parts


def _braces(text: str) -> tuple[int, int]:
    start = end = -1
    index = 0
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == "{" and start < 0:
            start = index
        elif text[index] == "}" and start >= 0:
            end = index
            break
        index += 1
    if start < 0 or end < 0:
        raise ValueError(f"no answer block in {text[:60]!r}")
    return start, end


def parse(text: str) -> list[GiftQuestion]:
    """Every question of a GIFT document."""
    questions, category = [], ""
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("//")]
        body = "\n".join(lines).strip()
        if not body:
            continue
        if body.startswith("$CATEGORY:"):
            category = body.removeprefix("$CATEGORY:").strip()
            continue
        match = re.match(r"::((?:\\.|[^:\\])*)::", body)
        if not match:
            raise ValueError(f"question without a title: {body[:60]!r}")
        rest = body[match.end():]
        start, end = _braces(rest)
        answer = rest[start + 1:end]
        stem = (rest[:start] + ("_____" if rest[end + 1:].strip() else "") + rest[end + 1:]).strip()
        answer, *general = split_unescaped(answer, "####")
        question = GiftQuestion(unescape(match.group(1)), category, "", unescape(stem),
                                general_feedback=unescape(general[0]) if general else "")
        _answers(question, answer.strip())
        questions.append(question)
    return questions


def _answers(question: GiftQuestion, answer: str) -> None:
    if answer in {"T", "F", "TRUE", "FALSE"}:
        question.kind, question.truth = "truefalse", answer.startswith("T")
        return
    items = re.findall(r"(?:^|(?<=\s))([=~])((?:\\.|[^=~\\])*)", answer)
    for sign, item in items:
        weight = None
        found = re.match(r"%(-?[\d.]+)%", item)
        if found:
            weight, item = float(found.group(1)), item[found.end():]
        elif sign == "=":
            weight = 100.0
        elif sign == "~":
            weight = 0.0
        parts = split_unescaped(item.strip(), "->")
        if len(parts) == 2:
            question.pairs.append((unescape(parts[0]).strip(), unescape(parts[1]).strip()))
            continue
        text, *feedback = split_unescaped(item.strip(), "#")
        question.answers.append((unescape(text).strip(), weight, unescape(feedback[0]).strip() if feedback else ""))
    if question.pairs:
        question.kind = "matching"
    elif any(sign == "~" for sign, _ in items):
        question.kind = "multi" if any(w not in (0.0, 100.0) for _, w, _ in question.answers) else "mcq"
    else:
        question.kind = "shortanswer"
