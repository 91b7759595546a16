"""The unsafe-answers page: every unsafe pick of the class, named, newest first (CSV in `exports`)."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from quizzes.questions import ChoiceQuestion, Question
from webapp.classes import roster
from webapp.classes.access import instructor_required, own_class_or_404
from webapp.instructor import bp
from webapp.instructor.unsafe import UnsafePick, unsafe_picks
from webapp.platform.content import get_bank, item_label
from webapp.platform.db import get_session

ROWS_PER_PAGE = 100  # newest first; the CSV and "show all" have every pick


def option_text(question: Question | None, option_id: str) -> str:
    """The words of an option (its id when the question or option is gone)."""
    if isinstance(question, ChoiceQuestion):
        for option in question.options:
            if option.id == option_id:
                return option.text
    return option_id


def named_picks(class_id: int, still_only: bool = False) -> list[tuple[UnsafePick, str, Question | None]]:
    """The class's unsafe picks with the student's name and the question (None when retired)."""
    session, bank = get_session(), get_bank()
    names = {uid: name for uid, name, _ in roster.members(session, class_id)}
    picks = unsafe_picks(session, list(names))
    if still_only:
        picks = [pick for pick in picks if pick.still_unsafe]
    return [(pick, names[pick.user_id], bank.get(pick.item_id)) for pick in picks]


@bp.get("/classes/<int:class_id>/unsafe")
@instructor_required
def unsafe(class_id: int) -> ResponseReturnValue:
    """Who picked which unsafe option, when, and whether they have answered that question safely since."""
    school_class = own_class_or_404(class_id)
    still_only = request.args.get("still") == "1"
    rows = named_picks(class_id, still_only)
    still_pairs = {(pick.user_id, pick.item_id) for pick, _, _ in rows if pick.still_unsafe}
    hidden = 0 if request.args.get("all") else max(0, len(rows) - ROWS_PER_PAGE)
    return render_template(
        "instructor/unsafe.html", school_class=school_class, rows=rows[: len(rows) - hidden], hidden=hidden,
        still_only=still_only,
        still_students=len({uid for uid, _ in still_pairs}), still_pairs=len(still_pairs),
        option_text=option_text, item_label=item_label,
    )
