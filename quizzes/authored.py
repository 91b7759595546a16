"""Authored questions (course.models) as quiz questions (quizzes.questions).

Authors write options in the order that reads well to them; learners see them
in a deterministic order keyed by question id and option id (see `shuffle`), so
the correct answer is not always where the author put it, and the order never
changes between rebuilds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from course import models as content
from quizzes import questions as q
from quizzes.shuffle import derange, stable_order


def convert(item: content.AuthoredQuestion, module: str, release: dt.date, regions: tuple[str, ...]) -> q.Question:
    """The quiz question for one authored question.

    Args:
        item: the validated authored question.
        module: the module whose file it was written in.
        release: the course release, the `updated` date when the item has none.
        regions: every endangerment-site id, the choices of a hotspot question.
    """
    common: dict[str, Any] = dict(
        id=item.id,
        module=module,
        lesson=item.lesson,
        stem=item.stem,
        explanation=item.explanation,
        sources=tuple(item.sources),
        mblex=item.mblex.value,
        difficulty=item.difficulty,
        safety_critical=item.safety_critical,
        tags=tuple(item.tags),
        origin="authored",
        updated=item.updated or release,
        objective=item.objective or "",
        angle=item.angle or "",
    )
    if isinstance(item, (content.McqQuestion, content.MultiQuestion)):
        options = stable_order(item.id, item.options, key=lambda option: option.id)
        return q.ChoiceQuestion(
            type=item.type,
            options=tuple(q.Choice(o.id, o.text, o.correct, o.why, o.unsafe) for o in options),
            **common,
        )
    if isinstance(item, content.TrueFalseQuestion):
        return q.TrueFalseQuestion(type="truefalse", answer=item.answer, reason=item.reason, **common)
    if isinstance(item, content.ClozeQuestion):
        blanks = tuple(tuple(answers) for answers in item.blanks)
        return q.ClozeQuestion(type="cloze", text=item.text, blanks=blanks, **common)
    if isinstance(item, content.MatchingQuestion):
        pairs = tuple(q.Pair(p.id, p.left, p.right) for p in item.pairs)
        return q.MatchingQuestion(
            type="matching", pairs=pairs, right_order=tuple(derange(item.id, [p.id for p in pairs])), **common
        )
    if isinstance(item, content.HotspotQuestion):
        return q.HotspotQuestion(type="hotspot", region=item.region, regions=regions, sites=(item.region,), **common)
    raise TypeError(f"unknown authored question type {type(item).__name__}")  # pragma: no cover - closed union
