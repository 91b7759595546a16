"""Deterministic "random" order and selection, seeded by content ids.

Every shuffle in the bank is keyed, not drawn: an element's place is the
SHA-256 of `seed + "\\0" + element key`, where the seed is the question id. So

- the same content always gives the same order (a learner's history and an Anki
  note stay attached to the same shown question across rebuilds), and
- the order is *rendezvous hashing*: adding or removing one candidate never
  reshuffles the others. Taking "the k best-ranked" distractors out of a pool
  therefore changes only if the new candidate itself ranks into the top k, which
  a `random.Random(seed).sample(pool, k)` would not guarantee (one more element
  in the pool and every draw changes).
"""

from __future__ import annotations

import hashlib
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")


def rank(seed: str, key: str) -> bytes:
    """The sort key of `key` under `seed`: 32 bytes that look random but never change."""
    return hashlib.sha256(f"{seed}\0{key}".encode("utf-8")).digest()


def stable_order(seed: str, items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` in a seeded pseudo-random order that depends only on their keys.

    Args:
        seed: usually the question id.
        items: the elements to order; their keys must be distinct.
        key: a content id of each element (never its position or display text).
    """
    return sorted(items, key=lambda item: rank(seed, key(item)))


def pick(
    seed: str,
    candidates: Iterable[T],
    count: int,
    key: Callable[[T], str],
    tier: Callable[[T], int] = lambda _: 0,
) -> list[T]:
    """The `count` best candidates: lowest `tier` first, then by seeded rank.

    `tier` expresses plausibility (0 = best, e.g. "same kind of structure"), so
    distractors come from the most plausible tier before a less plausible one.
    """
    ordered = sorted(candidates, key=lambda item: (tier(item), rank(seed, key(item))))
    return ordered[:max(count, 0)]


def derange(seed: str, keys: Iterable[str]) -> list[str]:
    """`keys` in seeded order, rotated if needed so that no key keeps its position.

    Used for matching questions, where a right-hand column shown in the same
    order as the left would give the answer away. With a single key nothing can
    move, and it is returned as is.
    """
    original = list(keys)
    order = stable_order(seed, original, key=lambda k: k)
    if len(order) < 2:
        return order
    # Rotations of the seeded order keep it deterministic; when none of them is
    # free of fixed points, rotating the original by one always is.
    for shift in range(len(order)):
        rotated = order[shift:] + order[:shift]
        if all(a != b for a, b in zip(rotated, original)):
            return rotated
    return original[1:] + original[:1]
