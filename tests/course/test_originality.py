"""The course teaches the seeds' facts in its own words: no 8-word run is copied.

The seed articles are not read here (the project never reads ../shared at run or
test time); `seed_shingles.txt` holds sha1 fingerprints of every normalised
8-word shingle of the seeds, made by `make_seed_shingles.py`, whose normaliser
this test imports so both sides agree word for word.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from course import load_course
from tests.course.make_seed_shingles import FINGERPRINT, SHINGLE, fingerprint, normalise, shingles

CONTENT = Path(__file__).resolve().parents[2] / "course" / "content"
# The bibliography repeats the papers' titles by design; titles are citations, not prose. The review ledger is not prose either: reviewers quote a source to say whether an item matches it,
# and the ledger is never shown to learners.
NOT_PROSE = {"sources.yaml", "reviews.yaml"}
# Exact wording a lesson may quote (in quotation marks, with a citation) beyond the
# bibliography's titles, which are allowed automatically. Keep this list short.
ALLOWED_QUOTES: tuple[str, ...] = ()


def seed_fingerprints() -> frozenset[str]:
    """The committed seed fingerprints, without comment lines."""
    lines = FINGERPRINT.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(label, text) for every string in a YAML tree, labelled by the nearest id."""
    if isinstance(node, dict):
        label = f"{where}/{node['id']}" if isinstance(node.get("id"), str) else where
        cloze = isinstance(node.get("text"), str) and isinstance(node.get("blanks"), list)
        if cloze:
            # A cloze reads as its completed sentence: fill each blank with its first answer.
            text = node["text"]
            for number, answers in enumerate(node["blanks"], start=1):
                text = text.replace(f"{{{{{number}}}}}", str(answers[0]) if answers else "")
            yield f"{label}.text", text
        for key, value in node.items():
            if key == "id" or (cloze and key == "text"):
                continue
            yield from _strings(value, f"{label}.{key}" if isinstance(value, str) else label)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, where)
    elif isinstance(node, str):
        yield where, node


def content_passages() -> Iterator[tuple[str, str, str]]:
    """(file, label, text) for every passage of prose the course shows a learner."""
    for path in sorted(CONTENT.rglob("*")):
        relative = str(path.relative_to(CONTENT))
        if path.name in NOT_PROSE or not path.is_file():
            continue
        if path.suffix == ".md":
            yield relative, "lesson", path.read_text(encoding="utf-8")
        elif path.suffix in {".yaml", ".yml"}:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            yield from ((relative, label, text) for label, text in _strings(data, ""))


def allowed_fingerprints() -> frozenset[str]:
    """Shingles lying wholly inside a cited title or an explicitly allowed quote."""
    quotes = [source.title for source in load_course().sources] + list(ALLOWED_QUOTES)
    return frozenset(fingerprint(s) for quote in quotes for _, s in shingles(normalise(quote)))


def copied_runs(text: str, seeds: frozenset[str], allowed: frozenset[str]) -> list[str]:
    """The maximal runs of words in `text` that contain a shingle found in the seeds."""
    words = normalise(text)
    hits = [start for start, s in shingles(words) if (h := fingerprint(s)) in seeds and h not in allowed]
    runs: list[str] = []
    run_start = run_end = None
    for start in hits:
        if run_end is not None and start <= run_end:
            run_end = start + SHINGLE
            continue
        if run_start is not None:
            runs.append(" ".join(words[run_start:run_end]))
        run_start, run_end = start, start + SHINGLE
    if run_start is not None:
        runs.append(" ".join(words[run_start:run_end]))
    return runs


@pytest.fixture(scope="module")
def seeds() -> frozenset[str]:
    return seed_fingerprints()


def test_fingerprint_file_covers_the_seeds(seeds: frozenset[str]) -> None:
    # ~70 kB of seed text gives over ten thousand shingles; far fewer means a bad regeneration.
    assert len(seeds) > 8000
    assert all(len(h) == 12 and int(h, 16) >= 0 for h in seeds)


def test_detector_flags_a_known_seed_passage(seeds: frozenset[str]) -> None:
    # A paper title quoted by a seed: flagged when not allowed, forgiven when it is a cited title.
    title = "Acute Radial Neuropathy at the Spiral Groove Following Massage: A Case Presentation"
    assert copied_runs(f"As they wrote, {title}.", seeds, frozenset())
    assert not copied_runs(title, seeds, allowed_fingerprints())


def test_normalisation_ignores_case_punctuation_and_citations() -> None:
    assert normalise("Post-massage SORENESS, it’s [@cambron-2007] “mild”.") == [
        "post", "massage", "soreness", "its", "mild",
    ]


def test_no_content_repeats_eight_words_of_a_seed(seeds: frozenset[str]) -> None:
    allowed = allowed_fingerprints()
    copied = [
        f"{file} {label}: {run!r}"
        for file, label, text in content_passages()
        for run in copied_runs(text, seeds, allowed)
    ]
    assert not copied, "passages copied from the seeds (rewrite them):\n" + "\n".join(copied)
