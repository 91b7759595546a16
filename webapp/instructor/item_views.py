"""Item analysis pages: the filtered list of questions, and one question with who picked what.

Every row names the question in its own words (`webapp.platform.content.item_label`, so a
cloze shows its sentence with gaps). Every figure stands beside its base
(students and attempts). The list leaves out items with fewer than the chosen
minimum of attempts (`DEFAULT_MIN_ATTEMPTS` unless asked): a 0 % facility over
one attempt is noise, not a finding. Safety-critical items are never left out:
under the minimum they are shown and marked as resting on few attempts, since
one student's unsafe miss is already worth a look.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Callable, Sequence

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue

from quizzes.bank import Bank
from quizzes.questions import TYPE_LABELS, ChoiceQuestion, Question
from webapp.classes import roster as class_roster
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.instructor import bp, snapshot
from webapp.instructor.dashboard import class_items
from webapp.instructor.unsafe import still_unsafe_items, unsafe_picks
from webapp.platform.content import get_bank, item_label
from webapp.platform.db import get_session
from webapp.platform.models import SchoolClass
from webapp.records.items import MIN_DISCRIMINATION_N, ItemStat, item_analysis, option_pickers

DEFAULT_MIN_ATTEMPTS = 5
ITEM_SORTS: dict[str, tuple[str, Callable[[tuple[Question, ItemStat]], float]]] = {
    "facility": ("most missed first", lambda pair: 2.0 if pair[1].facility is None else pair[1].facility),
    "discrimination": ("lowest discrimination first",
                       lambda pair: 2.0 if not pair[1].discrimination_known else pair[1].discrimination or 0.0),
    "attempts": ("most attempts first", lambda pair: -pair[1].attempts),
    "difficulty": ("highest FSRS difficulty first", lambda pair: -(pair[1].mean_difficulty or 0.0)),
}
ITEMS_PER_PAGE = 40


@dataclass(frozen=True)
class ObjectiveRow:
    """The items of one learning objective taken together: what the class can and cannot yet do."""

    objective_id: str
    text: str
    items: int  # of the objective, in the class's selection
    attempted: int
    attempts: int
    facility: float | None  # right on first attempts, over all its items' first attempts
    weakest: Question | None
    still_unsafe: int


def objective_rows(bank: Bank, questions: Sequence[Question], analysed: Sequence[tuple[Question, ItemStat]],
                   still_by_item: dict[str, int]) -> list[ObjectiveRow]:
    """The analysed items grouped by objective, most missed first (objectives with no first attempt last)."""
    by_objective: dict[str, list[tuple[Question, ItemStat]]] = {}
    for question, stat in analysed:
        by_objective.setdefault(question.objective or question.id, []).append((question, stat))
    selected: dict[str, int] = {}
    for question in questions:
        key = question.objective or question.id
        selected[key] = selected.get(key, 0) + 1
    rows = []
    for objective_id, pairs in by_objective.items():
        firsts = sum(stat.first_attempts for _, stat in pairs)
        right = sum((stat.facility or 0.0) * stat.first_attempts for _, stat in pairs)
        known = [(stat.facility, question) for question, stat in pairs if stat.facility is not None]
        rows.append(ObjectiveRow(
            objective_id, bank.objective_text(objective_id), selected.get(objective_id, len(pairs)), len(pairs),
            sum(stat.attempts for _, stat in pairs), right / firsts if firsts else None,
            min(known, key=lambda pair: (pair[0], pair[1].id))[1] if known else None,
            sum(still_by_item.get(question.id, 0) for question, _ in pairs),
        ))
    return sorted(rows, key=lambda row: (2.0 if row.facility is None else row.facility, row.text))


def _min_attempts(raw: str | None) -> int:
    try:
        return max(0, min(10_000, int(raw))) if raw not in (None, "") else DEFAULT_MIN_ATTEMPTS
    except ValueError:
        return DEFAULT_MIN_ATTEMPTS


@snapshot.computes("items")
def _item_figures(school_class: SchoolClass, roster: Sequence[class_roster.Enrolment],
                  now: dt.datetime) -> snapshot.ItemFigures:
    return item_figures(school_class, roster)


def item_figures(school_class: SchoolClass, roster: Sequence[class_roster.Enrolment]) -> snapshot.ItemFigures:
    """The statistics of every class item the class has attempted, and its still-unsafe counts (what `snapshot` caches).

    Filters only pick among these: an item's statistics do not depend on which
    other items are shown (the rest score always covers every item).
    """
    session = get_session()
    users = [uid for uid, _, _, _ in roster]
    still_by_item: dict[str, int] = {}
    for item_set in still_unsafe_items(session, users).values():
        for item in item_set:
            still_by_item[item] = still_by_item.get(item, 0) + 1
    stats = item_analysis(session, users, [q.id for q in class_items(get_bank(), school_class)])
    return snapshot.ItemFigures(stats, still_by_item, len(users))


@dataclass
class ItemChoice:
    """What the instructor asked the item analysis for: filters and sort, from the query string, checked."""

    module: str
    safety_only: bool
    min_attempts: int
    unsafe_only: bool
    sort: str
    show_all: bool
    by_objective: bool = False


@bp.get("/classes/<int:class_id>/items")
@instructor_required
def items(class_id: int) -> ResponseReturnValue:
    """Item analysis: filters (module, safety-critical, minimum attempts, still unsafe), a sortable table, by item or objective.

    The content comes from the class's snapshot (`snapshot`), drawn once per choice of filters and sort.
    """
    school_class = own_class_or_404(class_id)
    module, sort = request.args.get("module", ""), request.args.get("sort", "facility")
    choice = ItemChoice(
        module=module if module in {q.module for q in class_items(get_bank(), school_class)} else "",
        safety_only=request.args.get("safety") == "1", min_attempts=_min_attempts(request.args.get("min_attempts")),
        unsafe_only=request.args.get("still_unsafe") == "1", sort=sort if sort in ITEM_SORTS else "facility",
        show_all=bool(request.args.get("all")), by_objective=request.args.get("group") == "objective",
    )
    roster = class_roster.enrolments(get_session(), class_id)
    # Every choice but a typed-in minimum is one of a few hundred per class: those are kept.
    body = snapshot.rendered("items", school_class, roster, dataclasses.astuple(choice),
                             lambda now: item_figures(school_class, roster),
                             lambda snap: items_body(school_class, snap, choice),
                             keep=choice.min_attempts == DEFAULT_MIN_ATTEMPTS)
    return render_template("instructor/items.html", school_class=school_class, body=body)


def items_body(school_class: SchoolClass, snap: snapshot.Snapshot[snapshot.ItemFigures], choice: ItemChoice) -> str:
    """The item analysis's own content from a snapshot, filtered and sorted as `choice` says."""
    bank = get_bank()
    questions = class_items(bank, school_class)
    modules = [m for m in bank.modules if any(q.module == m.id for q in questions)]
    module_filter = choice.module
    if module_filter:
        questions = [q for q in questions if q.module == module_filter]
    if choice.safety_only:
        questions = [q for q in questions if q.safety_critical]
    still_by_item, stats_by_item = snap.figures.still_by_item, snap.figures.stats
    if choice.unsafe_only:
        questions = [q for q in questions if still_by_item.get(q.id)]
    min_attempts, sort = choice.min_attempts, choice.sort
    attempted = [(q, stats_by_item[q.id]) for q in questions if q.id in stats_by_item]
    analysed = sorted((pair for pair in attempted if pair[1].attempts >= min_attempts or pair[0].safety_critical),
                      key=ITEM_SORTS[sort][1])
    hidden = 0 if choice.show_all else max(0, len(analysed) - ITEMS_PER_PAGE)
    filters = {"module": module_filter or None, "safety": "1" if choice.safety_only else None,
               "min_attempts": min_attempts if min_attempts != DEFAULT_MIN_ATTEMPTS else None,
               "still_unsafe": "1" if choice.unsafe_only else None, "sort": sort,
               "group": "objective" if choice.by_objective else None}
    grouped = objective_rows(bank, questions, analysed, still_by_item) if choice.by_objective else None
    return render_template(
        "instructor/_items_body.html", school_class=school_class, analysed=analysed[: len(analysed) - hidden],
        hidden=hidden, sort=sort, sort_label=ITEM_SORTS[sort][0],
        sorts=[(key, label) for key, (label, _) in ITEM_SORTS.items()], modules=modules,
        module_filter=module_filter, safety_only=choice.safety_only, min_attempts=min_attempts,
        unsafe_only=choice.unsafe_only, below_minimum=len(attempted) - len(analysed), still_by_item=still_by_item,
        filters=filters, type_labels=TYPE_LABELS, item_label=item_label, min_n=MIN_DISCRIMINATION_N,
        few_below=max(min_attempts, DEFAULT_MIN_ATTEMPTS), students=snap.figures.students,
        unattempted=[q for q in questions if q.id not in stats_by_item], figures_at=snap.computed_at,
        refresh_seconds=snap.fresh_for, grouped=grouped,
    )


@bp.get("/classes/<int:class_id>/items/<item_id>")
@instructor_required
def item(class_id: int, item_id: str) -> ResponseReturnValue:
    """One question: its text and explanation, option counts, who picked each, facility, discrimination, FSRS."""
    school_class = own_class_or_404(class_id)
    session, bank = get_session(), get_bank()
    question = bank.get(item_id)
    if question is None or question.id not in {q.id for q in class_items(bank, school_class)}:
        abort(404)
    members = class_roster.members(session, class_id)
    names = {uid: name for uid, name, _ in members}
    users = list(names)
    stat = item_analysis(session, users, [item_id]).get(item_id, ItemStat(item_id))
    pickers = option_pickers(session, users, item_id)
    picks = unsafe_picks(session, users, item_id)
    still = sorted({pick.user_id for pick in picks if pick.still_unsafe}, key=lambda uid: names[uid].casefold())
    try:
        lesson = bank.course.lesson(question.lesson) if question.lesson else None
    except KeyError:
        lesson = None
    return render_template(
        "instructor/item.html", school_class=school_class, question=question, stat=stat, names=names,
        pickers=pickers, picks=picks, still=still, label=item_label(question), lesson=lesson,
        type_label=TYPE_LABELS[question.type], is_choice=isinstance(question, ChoiceQuestion),
        min_n=MIN_DISCRIMINATION_N,
    )
