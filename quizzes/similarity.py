"""Near-duplicate questions: two items that test the same fact in nearly the same words.

A learner's review time is the scarcest thing the course spends, so a fact
should be asked once. Two questions are near-duplicates when

- their stem + key texts share most of their words (Jaccard of content-word
  shingles after dropping stop words, at least `TEXT_THRESHOLD`), unless both
  come from the same generator family, whose shared template is no duplication, or
- they have the same answer set (the same correct options, blanks, pairs or
  body-map region) and their stems still overlap (at least `STEM_THRESHOLD`).

Authors declare intended pairs with `variant_of` (a deliberate rewording) or
`distinct_from` (similar words, different fact); declared pairs are not
reported as problems. Groups are the connected components of the remaining pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations
from typing import Iterable

from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)

TEXT_THRESHOLD = 0.45
STEM_THRESHOLD = 0.2
SHINGLE = 1  # single content words: rewordings keep the words, not their order

# Words that carry no fact: dropping them keeps templated wording ("which of
# these", "select all that apply") from making unrelated items look alike.
STOP_WORDS = frozenset(
    """a an and are as at be by can do does for from has have he her his how i if in into is it its
    of on or she so than that the their them then there these they this to was were what when where
    which while who why will with would you your true false select all apply complete sentence
    following best most likely statement""".split()
)

WORD = re.compile(r"[a-z0-9]+")


def words(text: str) -> list[str]:
    """Lowercase content words of `text`, stop words dropped, `{{1}}` blanks removed."""
    return [word for word in WORD.findall(re.sub(r"\{\{\d+\}\}", " ", text.casefold())) if word not in STOP_WORDS]


def shingles(text: str, size: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    """Word n-grams of `text` (single words when it is shorter than `size`)."""
    found = words(text)
    if len(found) < size:
        return frozenset((word,) for word in found)
    return frozenset(tuple(found[i : i + size]) for i in range(len(found) - size + 1))


def jaccard(left: frozenset[tuple[str, ...]], right: frozenset[tuple[str, ...]]) -> float:
    """Shared shingles over all shingles (0 when both are empty)."""
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def key_text(question: Question) -> str:
    """What a learner must produce to be right, as text."""
    if isinstance(question, ChoiceQuestion):
        return " ".join(option.text for option in question.options if option.correct)
    if isinstance(question, TrueFalseQuestion):
        return ""  # the statement is the stem; "true" alone says nothing
    if isinstance(question, ClozeQuestion):
        return _filled(question)
    if isinstance(question, MatchingQuestion):
        return " ".join(f"{pair.left} {pair.right}" for pair in question.pairs)
    if isinstance(question, HotspotQuestion):
        return question.region.replace("-", " ")
    return ""


def answer_set(question: Question) -> frozenset[str] | None:
    """The normalised set of right answers, or None where it identifies nothing (true/false)."""
    if isinstance(question, ChoiceQuestion):
        return frozenset(" ".join(words(o.text)) for o in question.options if o.correct)
    if isinstance(question, ClozeQuestion):
        return frozenset(" ".join(words(answers[0])) for answers in question.blanks if answers)
    if isinstance(question, MatchingQuestion):
        return frozenset(" ".join(words(f"{p.left} = {p.right}")) for p in question.pairs)
    if isinstance(question, HotspotQuestion):
        return frozenset({question.region})
    return None


def stem_text(question: Question) -> str:
    """The prompt a learner reads (a cloze's sentence with its blanks empty)."""
    if isinstance(question, ClozeQuestion):
        return f"{question.stem} {question.text}"
    return question.stem


@dataclass(frozen=True)
class Pair:
    """Two questions found to be near-duplicates, with why."""

    first: str
    second: str
    similarity: float
    same_answers: bool


def near_duplicate_pairs(questions: Iterable[Question]) -> list[Pair]:
    """Every near-duplicate pair among `questions`, ids in bank order."""
    items = list(questions)
    full = {q.id: shingles(f"{stem_text(q)} {key_text(q)}") for q in items}
    stems = {q.id: shingles(stem_text(q)) for q in items}
    answers = {q.id: answer_set(q) for q in items}
    pairs = []
    for a, b in combinations(items, 2):
        text = jaccard(full[a.id], full[b.id])
        same = answers[a.id] is not None and answers[a.id] == answers[b.id]
        templated = _family(a) is not None and _family(a) == _family(b)
        if (text >= TEXT_THRESHOLD and not templated) or (same and jaccard(stems[a.id], stems[b.id]) >= STEM_THRESHOLD):
            pairs.append(Pair(a.id, b.id, round(text, 2), same))
    return pairs


def groups(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    """Connected components of the pairs, each sorted, the list sorted."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for first, second in pairs:
        parent[root(first)] = root(second)
    members: dict[str, list[str]] = {}
    for node in list(parent):
        members.setdefault(root(node), []).append(node)
    return sorted(tuple(sorted(group)) for group in members.values())


def _family(question: Question) -> str | None:
    # Generated ids are `<family>--<content id>`; authored ids never hold "--".
    return question.id.split("--", 1)[0] if "--" in question.id else None


def _filled(question: ClozeQuestion) -> str:
    text = question.text
    for number, answers in enumerate(question.blanks, start=1):
        text = text.replace(f"{{{{{number}}}}}", answers[0] if answers else "")
    return text
