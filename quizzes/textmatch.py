"""Is a typed answer the same as an accepted one? The rule for cloze blanks.

The rule, in order:

1. Normalise both sides: Unicode NFKD with combining marks dropped (so
   "Guyon's"/"Guyón's" and "naïve"/"naive" match), case folded, punctuation and
   spaces at the ends stripped, and every run of spaces, hyphens and
   underscores inside removed ("sterno-cleido mastoid" = "sternocleidomastoid").
2. Equal after normalising: accepted. Each blank may list synonyms; any one counts.
3. Otherwise small typos are forgiven only in long answers, measured on the
   normalised accepted answer: Levenshtein distance 1 from 6 characters, 2 from
   10 characters, none below 6 (short words are too easily another word).
4. Except when the slip is a known anatomical near-miss: the typed answer
   contains one word of a CONFUSABLE pair where the accepted answer has the
   other ("medial" for "median", "peroneal" for "perineal", "abduction" for
   "adduction", "hypotension" for "hypertension"). Those are different things,
   not typos, and a safety course must not mark them right.
"""

from __future__ import annotations

import re
import unicodedata

# Pairs of real, different terms one or two letters apart.
CONFUSABLE: tuple[tuple[str, str], ...] = (
    ("median", "medial"),
    ("perineal", "peroneal"),
    ("ileum", "ilium"),
    ("abduct", "adduct"),
    ("hyper", "hypo"),
    ("anterior", "interior"),
    ("afferent", "efferent"),
    ("palmar", "plantar"),
    ("carotid", "parotid"),
    ("brachial", "branchial"),
)

_INNER = re.compile(r"[\s\-_‐-―]+")


def normalise(text: str) -> str:
    """The comparison key of an answer (see the module docstring, step 1)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _strip_ends(plain)
    return _INNER.sub("", plain)


def _strip_ends(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _is_edge(text[start]):
        start += 1
    while end > start and _is_edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith(("P", "S"))


def allowed_typos(accepted_key: str) -> int:
    """How many edits a typed answer may be from `accepted_key` (already normalised)."""
    if len(accepted_key) >= 10:
        return 2
    if len(accepted_key) >= 6:
        return 1
    return 0


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of `a` and `b`, or `limit + 1` as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def confused(given_key: str, accepted_key: str) -> bool:
    """True when `given_key` swaps a term of a CONFUSABLE pair for its twin."""
    for first, second in CONFUSABLE:
        for right, wrong in ((first, second), (second, first)):
            # "The wrong term is there and the right one is not": the typed answer
            # may legitimately contain both words of a pair elsewhere.
            if right in accepted_key and wrong in given_key and right not in given_key:
                return True
    return False


def matches(given: str, accepted: tuple[str, ...] | list[str]) -> bool:
    """True when `given` is one of the `accepted` answers under the module's rule."""
    given_key = normalise(given)
    if not given_key:
        return False
    keys = [normalise(answer) for answer in accepted]
    if given_key in keys:
        return True
    for key in keys:
        limit = allowed_typos(key)
        if limit and not confused(given_key, key) and distance(given_key, key, limit) <= limit:
            return True
    return False
