"""A learner's cards as the planner needs them during one sitting: the due-soon ones, and who is seen.

`quizzes.planner.plan_next` reads every card on every call (parsing its due
time) to find the due ones, and asks `item in cards` to tell new items from
seen ones. In a sitting of an hour only the cards due before the hour is out can
ever be chosen, so iterating over those alone gives the same next item at a
fraction of the cost, as long as membership still covers every seen card. Over
a simulated school (millions of plans) that is most of the planner's time.

The planner's counts (`Plan.counts`) are NOT right through this view (it sees
fewer cards), and nothing here uses them. `tests/webapp/test_synthetic.py`
checks on real simulations that the view and the full mapping give the same
next item at every step, so a change to the planner that breaks the premise
fails there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

Card = dict[str, Any]


class CardView(Mapping[str, Card]):
    """Iterates over the cards due by `horizon`; answers `in` and `[]` for every seen card."""

    def __init__(self, cards: dict[str, Card], dues: Mapping[str, dt.datetime], horizon: dt.datetime) -> None:
        """Args:
        cards: every seen item's card (kept by reference: later reviews show through).
        dues: each card's due time, already parsed.
        horizon: the end of the window; cards due after it are left out of iteration.
        """
        self.cards = cards
        self.horizon = horizon
        self.soon: dict[str, Card] = {item: cards[item] for item, due in dues.items() if due <= horizon}

    def update(self, item_id: str, card: Card, due: dt.datetime) -> None:
        """Record a review: `card` is now due at `due` (the caller has stored it in `cards`)."""
        if due <= self.horizon:
            self.soon[item_id] = card
        else:
            self.soon.pop(item_id, None)

    def __getitem__(self, item_id: str) -> Card:
        return self.cards[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.cards

    def __iter__(self) -> Iterator[str]:
        return iter(self.soon)

    def __len__(self) -> int:
        return len(self.soon)

    def items(self) -> Any:
        """The due-soon cards (a dict view, as fast as iterating a dict)."""
        return self.soon.items()
