"""Why a study session stops, told honestly: learning questions due soon, the class's new limit, or all done.

The planner answers "nothing now"; this module says what comes next: how many
learning questions fall due within `SOON` (the learner may wait for them, or study
them ahead), whether today's new-question limit is what stops them while unseen
questions remain (extra practice is then offered, which changes no schedule), and
when the next review is due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

# Learning steps are minutes long: a session with one due this soon is paused, not over.
SOON = dt.timedelta(minutes=20)
REVIEW_STATE = 2


@dataclass(frozen=True)
class Ending:
    """What the end-of-session page says."""

    learning_soon: int  # learning or relearning questions due within SOON
    soon_at: dt.datetime | None  # when the first of them is due
    cap_reached: bool  # the daily new limit stops new questions that remain
    unseen: int  # questions in scope never answered
    next_due: dt.datetime | None  # the earliest due time of any seen question in scope

    @property
    def waiting(self) -> bool:
        """Something is due soon enough to wait for."""
        return self.soon_at is not None


def ending(cards: Mapping[str, Mapping[str, Any]], in_scope: frozenset[str], now: dt.datetime,
           new_seen_today: int, new_per_day: int) -> Ending:
    """What stops the session at `now` (cards: item id -> stored fsrs card)."""
    dues = [
        (dt.datetime.fromisoformat(card["due"]), int(card.get("state") or 0))
        for item_id, card in cards.items() if item_id in in_scope and card.get("due")
    ]
    soon = sorted(due for due, state in dues if state != REVIEW_STATE and due <= now + SOON)
    unseen = len(in_scope - set(cards))
    return Ending(
        learning_soon=len(soon),
        soon_at=soon[0] if soon else None,
        cap_reached=unseen > 0 and new_seen_today >= new_per_day,
        unseen=unseen,
        next_due=min((due for due, _ in dues), default=None),
    )


def wait_seconds(ending_: Ending, now: dt.datetime) -> int:
    """Seconds until the first learning question is due (at least 5, so the page never spins)."""
    if ending_.soon_at is None:
        return 0
    return max(5, int((ending_.soon_at - now).total_seconds()) + 1)
