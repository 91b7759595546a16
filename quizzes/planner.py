"""The study planner: which item next, how many are waiting, what falls due when.

Rules of `plan_next`, in order:

1. Scope: only the bank's items of `limits.lesson` if set, else of
   `limits.modules` if set, else every item. Cards of items no longer in the
   bank are ignored.
2. Due first: of the seen items due at or before `now`, the most overdue
   relative to its stability, (now - due) / stability, comes first; a card that
   is a day late on a 2-day memory is more at risk than one a day late on a
   60-day memory. Ties go to the earlier due time, then the id.
3. Then new items, while `new_seen_today` is under `limits.new_per_day`: modules
   take turns (round robin in course order, starting after the module of
   `last_item`), and within a module items come in lesson order, then id.
4. Priority: items in `limits.priority` (work an instructor assigned, due
   soon; the caller decides which) go before all others of their kind: a due
   priority item before any other due item, a new priority item before any
   other new item (still within the daily new limit). Rules 2 and 3 order
   items within each group.
5. Siblings wait (as Anki buries them): an item whose sibling (an item of the
   same objective, `Bank.siblings`) is in `answered_today` is not shown today,
   neither as a new item nor as a due review; it comes back tomorrow.
6. Never the same item twice in a row: `last_item` is skipped, unless it is the
   only item that could be shown (a one-question lesson), since answering
   again is then better than a dead end.

Counts: `due` = review-state cards due now, `learning` = learning and
relearning cards due now, `new` = unseen items in scope that today's new limit
still allows.

Speed: per-bank indexes (scope lists, new-item order) are built once per Bank
and kept in a weak dictionary. `plan_from` holds the rules and reads only the
seen ids and the cards due now (`DueCard`), so a caller that can select those
(the web app, from the database's columns) never touches the rest; `plan_next`
takes whole cards and parses each one's `due`, `state` and `stability` (about
0.5 ms for 1,000 cards, see benchmarks/).
"""

from __future__ import annotations

import datetime as dt
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Collection, Literal, Mapping, NamedTuple

from quizzes.bank import Bank
from quizzes.questions import Question
from quizzes.scheduling import Rating, retrievability, review, utc

__all__ = [
    "Counts", "DueCard", "Limits", "Plan", "buried", "due_cards", "forecast", "keep_pace", "plan_from", "plan_next", "retrievability",
    "scope_items",
]

DAY = 86400.0
REVIEW = 2


@dataclass(frozen=True)
class Limits:
    """What a learner may be shown: the daily new-item limit and the scope."""

    new_per_day: int = 20
    modules: frozenset[str] | None = None
    lesson: str | None = None
    # Item ids to study before the rest (assigned work as its due date nears).
    priority: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Counts:
    """Items waiting now, Anki-style."""

    new: int
    learning: int
    due: int

    @property
    def total(self) -> int:
        """Everything that could be studied now."""
        return self.new + self.learning + self.due


@dataclass(frozen=True)
class Plan:
    """The next question (None when nothing is due and no new item is allowed) and the counts."""

    next: Question | None
    counts: Counts
    kind: Literal["due", "new"] | None = None


@dataclass(frozen=True)
class _Index:
    module_order: tuple[str, ...]
    module_of: dict[str, str]
    # module -> its item ids in the order new items are introduced
    new_order: dict[str, tuple[str, ...]]
    lesson_items: dict[str, tuple[str, ...]]


_INDEXES: weakref.WeakKeyDictionary[Bank, _Index] = weakref.WeakKeyDictionary()


def _index(bank: Bank) -> _Index:
    found = _INDEXES.get(bank)
    if found is None:
        lesson_rank = {lesson.id: (lesson.order, lesson.id) for lesson in bank.course.lessons}
        order = tuple(module.id for module in bank.modules)
        new_order = {
            module: tuple(q.id for q in sorted(bank.by_module(module),
                                               key=lambda q: (lesson_rank.get(q.lesson, (1 << 30, "")), q.id)))
            for module in order
        }
        lessons: dict[str, list[str]] = {}
        for module in order:
            for item in new_order[module]:
                lessons.setdefault(bank.get(item).lesson, []).append(item)  # type: ignore[union-attr]
        found = _Index(order, {q.id: q.module for q in bank.questions}, new_order,
                       {lesson: tuple(items) for lesson, items in lessons.items()})
        _INDEXES[bank] = found
    return found


def _scope(index: _Index, limits: Limits) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The modules in scope (course order) and each one's items in scope (new order)."""
    if limits.lesson is not None:
        items = index.lesson_items.get(limits.lesson, ())
        module = index.module_of[items[0]] if items else None
        return ((module,) if module else ()), ({module: items} if module else {})
    modules = tuple(m for m in index.module_order if limits.modules is None or m in limits.modules)
    return modules, {m: index.new_order[m] for m in modules}


def scope_items(bank: Bank, limits: Limits) -> frozenset[str]:
    """Every item id `limits` lets the learner study (new or seen): the one scope rule."""
    _, items = _scope(_index(bank), limits)
    return frozenset(item for module_items in items.values() for item in module_items)


class DueCard(NamedTuple):
    """What the planner reads of a card that is due: when, its fsrs state, and its stability."""

    due: dt.datetime
    state: int
    stability: float | None


def due_cards(cards: Mapping[str, Mapping[str, Any]], now: dt.datetime) -> dict[str, DueCard]:
    """The cards due at or before `now`, as `plan_from` reads them (from stored fsrs card dicts)."""
    moment = utc(now)
    found: dict[str, DueCard] = {}
    for item_id, card in cards.items():
        when = dt.datetime.fromisoformat(card["due"])
        if when <= moment:
            found[item_id] = DueCard(when, card["state"], card.get("stability"))
    return found


def plan_next(
    cards: Mapping[str, Mapping[str, Any]],
    bank: Bank,
    limits: Limits,
    now: dt.datetime,
    *,
    new_seen_today: int = 0,
    last_item: str | None = None,
    answered_today: Collection[str] = (),
) -> Plan:
    """The next item for a learner and the counts (rules in the module docstring).

    Args:
        cards: item id -> stored fsrs card dict, for every item the learner has seen.
        bank: the question bank.
        limits: new-item limit and scope.
        now: the current time (timezone-aware).
        new_seen_today: new items the learner has already been shown today.
        last_item: the item answered last, never shown twice in a row.
        answered_today: ids of the items answered today; their siblings wait until tomorrow.
    """
    return plan_from(cards.keys(), due_cards(cards, now), bank, limits, now,
                     new_seen_today=new_seen_today, last_item=last_item, answered_today=answered_today)


def plan_from(
    seen: Collection[str],
    due: Mapping[str, DueCard],
    bank: Bank,
    limits: Limits,
    now: dt.datetime,
    *,
    new_seen_today: int = 0,
    last_item: str | None = None,
    answered_today: Collection[str] = (),
) -> Plan:
    """`plan_next` from what it needs alone: the ids of every seen item, and the cards due at `now`.

    A caller that can select the due cards itself (the web app asks the database
    for them) never parses the others. `due` may hold only cards due at or before
    `now`; a later one is ignored.
    """
    index = _index(bank)
    modules, items = _scope(index, limits)
    in_scope: set[str] | None = None
    if limits.lesson is not None or limits.modules is not None:
        in_scope = {item for module in modules for item in items[module]}
    moment = utc(now)
    waiting = buried(bank, answered_today)
    best: tuple[bool, float, dt.datetime, str] | None = None
    priority = limits.priority
    last_due = False
    learning = count_due = 0
    for item_id, card in due.items():
        if item_id not in index.module_of or (in_scope is not None and item_id not in in_scope):
            continue
        when = card.due
        if when > moment:
            continue
        if card.state == REVIEW:
            count_due += 1
        else:
            learning += 1
        if item_id == last_item:
            last_due = True
            continue
        if item_id in waiting:
            continue
        stability = card.stability or 0.01
        key = (item_id not in priority, -(moment - when).total_seconds() / DAY / stability, when, item_id)
        if best is None or key < best:
            best = key
    seen_in_scope = sum(
        1 for item_id in seen if item_id in index.module_of and (in_scope is None or item_id in in_scope))
    total = sum(len(ids) for ids in items.values())
    allowed = max(0, limits.new_per_day - new_seen_today)
    counts = Counts(new=min(allowed, total - seen_in_scope), learning=learning, due=count_due)
    if best is not None:
        return Plan(bank.get(best[3]), counts, "due")
    if allowed:
        fresh = _first_new(index, modules, items, seen if not waiting else {*seen, *waiting}, last_item, priority)
        if fresh is not None:
            return Plan(bank.get(fresh), counts, "new")
    if last_due and last_item is not None:
        return Plan(bank.get(last_item), counts, "due")
    return Plan(None, counts)


def buried(bank: Bank, answered_today: Collection[str]) -> frozenset[str]:
    """The items that wait until tomorrow: siblings of the items answered today (not those items themselves)."""
    answered = set(answered_today)
    return frozenset(s for item in answered for s in bank.siblings(item) if s not in answered)


def _first_new(
    index: _Index, modules: tuple[str, ...], items: dict[str, tuple[str, ...]],
    seen: Collection[str], last_item: str | None, priority: frozenset[str],
) -> str | None:
    if priority:
        # Priority items among new ones, in the usual new-item order.
        wanted = {m: tuple(i for i in items[m] if i in priority) for m in modules}
        fresh = _next_new(index, tuple(m for m in modules if wanted[m]), wanted, seen, last_item)
        if fresh is not None:
            return fresh
    return _next_new(index, modules, items, seen, last_item)


def _next_new(
    index: _Index, modules: tuple[str, ...], items: dict[str, tuple[str, ...]],
    seen: Collection[str], last_item: str | None,
) -> str | None:
    if not modules:
        return None
    last_module = index.module_of.get(last_item or "")
    start = modules.index(last_module) + 1 if last_module in modules else 0
    for step in range(len(modules)):
        module = modules[(start + step) % len(modules)]
        for item_id in items[module]:
            if item_id not in seen and item_id != last_item:
                return item_id
    return None


def forecast(cards: Mapping[str, Mapping[str, Any]], now: dt.datetime, days: int = 14) -> list[int]:
    """Cards falling due on each of the next `days` UTC days; day 0 includes everything overdue."""
    moment = utc(now)
    today = moment.date()
    counts = [0] * max(days, 0)
    for card in cards.values():
        offset = (dt.datetime.fromisoformat(card["due"]).astimezone(dt.timezone.utc).date() - today).days
        if offset < days:
            counts[max(offset, 0)] += 1
    return counts


# A learning step (fsrs: 1 and 10 minutes) comes back within the same sitting.
_SITTING_PASSES = 3
_PASS_GAP = dt.timedelta(minutes=10)


def keep_pace(
    cards: Mapping[str, Mapping[str, Any]],
    bank: Bank,
    limits: Limits,
    now: dt.datetime,
    until: dt.datetime,
    retention_of: Callable[[str], float],
) -> dict[str, dict[str, Any]]:
    """The learner's cards at `until` if they keep to the pace from `now` on.

    "Keeping to the pace" is one sitting a day, at the time of day of `now`:
    every due item reviewed and remembered (rated Good), then new items up to
    `limits.new_per_day` in the planner's order (modules in turn, lessons in
    order). It is the best a learner can do with this schedule, so it answers
    "what would exam day look like if they did the work?"; real lapses only
    lower it. No fuzz, so the figure is the same on every page load.

    Args:
        cards: item id -> stored card dict now.
        bank: the question bank.
        limits: the class's new-item limit and scope.
        now: when the projection starts (timezone-aware).
        until: the moment to stop (e.g. the exam).
        retention_of: item id -> desired retention to schedule it with.
    """
    index = _index(bank)
    modules, items = _scope(index, limits)
    projected = {item_id: dict(card) for item_id, card in cards.items() if item_id in index.module_of}
    dues = {item_id: dt.datetime.fromisoformat(card["due"]) for item_id, card in projected.items()}
    moment, end = utc(now), utc(until)
    order = [item for item in _round_robin(modules, items) if item not in projected]
    while moment < end:
        # New items first in the sitting, so their learning steps come back in it.
        for item_id in order[: limits.new_per_day]:
            after = review(None, int(Rating.GOOD), moment, retention_of(item_id), fuzz=False)
            projected[item_id], dues[item_id] = after.card, after.due
        order = order[limits.new_per_day:]
        sitting = moment
        for _ in range(_SITTING_PASSES):
            sitting += _PASS_GAP
            for item_id in [i for i, due in dues.items() if due <= sitting]:
                after = review(projected[item_id], int(Rating.GOOD), sitting, retention_of(item_id), fuzz=False)
                projected[item_id], dues[item_id] = after.card, after.due
        moment += dt.timedelta(days=1)
    return projected


def _round_robin(modules: tuple[str, ...], items: dict[str, tuple[str, ...]]) -> list[str]:
    """Every item in scope in the order `plan_next` brings new items: modules in turn."""
    queues = [list(items[module]) for module in modules]
    result: list[str] = []
    while any(queues):
        for queue in queues:
            if queue:
                result.append(queue.pop(0))
    return result
