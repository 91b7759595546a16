"""The one timing loop the benchmark scripts share."""

from __future__ import annotations

import time
from typing import Callable


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per call of `action`, `rounds` times after one warm-up call (imports, caches, plans)."""
    action()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return times
