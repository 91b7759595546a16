"""Fingerprint the seed articles so the originality test can run without them.

The course is written from source articles that live outside the project
(``../shared/seeds``) and that the project never reads when it runs or tests.
To check that no sentence was carried over, this script hashes every run of
``SHINGLE`` consecutive normalised words of the seeds and writes the hashes (not
the text) to ``tests/course/seed_shingles.txt``; ``test_originality.py`` hashes
the course's own shingles the same way and fails on any hash in common.

Regenerate after the seeds change (the seeds folder is the only argument)::

    .venv/bin/python tests/course/make_seed_shingles.py ../shared/seeds

Every ``*.txt`` file in the folder is fingerprinted; the README is not a seed.
The test imports ``normalise`` and ``shingles`` from here, so both sides of the
comparison always normalise identically.
"""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

SHINGLE = 8  # words per shingle: long enough that a match is copying, not coincidence
HASH_CHARS = 12  # 48 bits: accidental collisions among ~10^4 hashes are negligible
FINGERPRINT = Path(__file__).with_name("seed_shingles.txt")

# Citations such as [@hsu-2017; @ingraham-nerves] are ours, never the seeds', and
# would otherwise split a copied sentence into runs too short to notice.
_CITATION = re.compile(r"\[@[^\]]*\]")
_APOSTROPHE = re.compile(r"(?<=\w)['\u2018\u2019\u02bc](?=\w)")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> list[str]:
    """Split text into comparable words: case, accents and punctuation removed.

    Apostrophes inside words vanish ("it's" -> "its") and every other
    non-alphanumeric character (hyphens, dashes, quotes, Markdown) separates
    words, so "post-massage" and "post massage" compare equal.

    Args:
        text: any prose, Markdown or plain.

    Returns:
        The lowercase ASCII words in order.
    """
    text = _CITATION.sub(" ", text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHE.sub("", text.casefold())
    return _WORD.findall(text)


def shingles(words: list[str], size: int = SHINGLE) -> Iterator[tuple[int, str]]:
    """Yield (start index, space-joined shingle) for each run of `size` words."""
    for start in range(len(words) - size + 1):
        yield start, " ".join(words[start : start + size])


def fingerprint(shingle: str) -> str:
    """The short sha1 hex digest stored for one shingle."""
    return hashlib.sha1(shingle.encode("utf-8")).hexdigest()[:HASH_CHARS]


def seed_hashes(seeds: Path) -> set[str]:
    """Fingerprints of every shingle of every seed text in the folder."""
    hashes: set[str] = set()
    for path in sorted(seeds.glob("*.txt")):
        words = normalise(path.read_text(encoding="utf-8"))
        hashes.update(fingerprint(shingle) for _, shingle in shingles(words))
    return hashes


def main(argv: list[str]) -> int:
    """Write the fingerprint file from the seeds folder named in argv."""
    if len(argv) != 2 or not Path(argv[1]).is_dir():
        print(f"usage: {argv[0]} SEEDS_FOLDER", file=sys.stderr)
        return 2
    hashes = seed_hashes(Path(argv[1]))
    if not hashes:
        print(f"no *.txt seeds in {argv[1]}", file=sys.stderr)
        return 1
    header = f"# sha1[:{HASH_CHARS}] of every normalised {SHINGLE}-word shingle of the seeds; see make_seed_shingles.py\n"
    FINGERPRINT.write_text(header + "".join(f"{h}\n" for h in sorted(hashes)), encoding="utf-8")
    print(f"{len(hashes)} shingle hashes -> {FINGERPRINT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
