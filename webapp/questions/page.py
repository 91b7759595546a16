"""What the study templates need to show a question and its answer, by type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from course.models import CLOZE_BLANK
from quizzes.bodymap import REGIONS, VIEWS, Spot, locate_spots, region_label, region_view, view_svg
from quizzes.grading import chosen_options, grade
from quizzes.questions import (
    TYPE_LABELS,
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)
from webapp.platform.content import get_course
from webapp.platform.markdown import pubmed_url


def region_name(region: str) -> str:
    """The site's plain-English name with the anatomical one in brackets (the map's title),
    else the course's name for it, else its id made readable."""
    try:
        return region_label(region)
    except ValueError:
        names = {site.id: site.name for site in get_course().sites}
        return names.get(region) or region.replace("-", " ").capitalize()


@dataclass(frozen=True)
class MapView:
    """One view of the body map for a page: its drawing and the regions offered on it."""

    name: str
    svg: Markup
    spots: tuple[Spot, ...] = ()


def locate_views(regions: Sequence[str]) -> list[MapView]:
    """Both views of the map with the question's regions as neutral tap targets."""
    spots = locate_spots([region for region in regions if region in REGIONS])
    # Our own SVG from quizzes.bodymap, built from constant markup; no user text reaches it.
    return [MapView(view, Markup(view_svg(view)), tuple(s for s in spots if s.view == view)) for view in VIEWS]  # nosec B704


def answer_views(answer: str, chosen: str) -> list[MapView]:
    """The views showing the right region (highlighted) and the learner's pick."""
    shown = [region for region in (answer, chosen) if region in REGIONS]
    views = [view for view in VIEWS if any(region_view(region) == view for region in shown)]
    return [
        # Our own SVG; the highlighted ids are checked against REGIONS first.
        MapView(view, Markup(view_svg(view, highlight=answer if answer in REGIONS else None,  # nosec B704
                                      chosen=chosen if chosen in REGIONS and chosen != answer else None)))
        for view in views
    ]


def spot_number(regions: Sequence[str], site: str) -> int | None:
    """The neutral region number a locate form shows for `site` (the inverse of `spot_region`)."""
    spots = locate_spots([region for region in regions if region in REGIONS])
    return next((spot.number for spot in spots if spot.site == site), None)


def spot_region(regions: Sequence[str], value: str) -> str | None:
    """The site a locate form's neutral value ("4": region 4) stands for."""
    if not value.isdigit() or len(value) > 3:
        return None
    spots = locate_spots([region for region in regions if region in REGIONS])
    return next((spot.site for spot in spots if spot.number == int(value)), None)


def cloze_segments(text: str) -> list[tuple[str, str]]:
    """`text` split into ("text", s) and ("blank", number) parts, in order."""
    parts: list[tuple[str, str]] = []
    last = 0
    for match in CLOZE_BLANK.finditer(text):
        if match.start() > last:
            parts.append(("text", text[last : match.start()]))
        parts.append(("blank", match.group(1)))
        last = match.end()
    if last < len(text):
        parts.append(("text", text[last:]))
    return parts


def question_context(question: Question) -> dict[str, Any]:
    """Template variables for showing `question` as a form."""
    context: dict[str, Any] = {"question": question, "type_label": TYPE_LABELS.get(question.type, question.type)}
    if isinstance(question, ClozeQuestion):
        context["segments"] = cloze_segments(question.text)
    elif isinstance(question, MatchingQuestion):
        by_id = {pair.id: pair for pair in question.pairs}
        context["rights"] = [(pair_id, by_id[pair_id].right) for pair_id in question.right_order]
    elif isinstance(question, HotspotQuestion):
        context["map_views"] = locate_views(question.regions)
    return context


def correct_answer(question: Question) -> str:
    """The right answer in words, for the answer page's headline."""
    if isinstance(question, ChoiceQuestion):
        return "; ".join(option.text for option in question.options if option.correct)
    if isinstance(question, TrueFalseQuestion):
        return "True" if question.answer else "False"
    if isinstance(question, ClozeQuestion):
        return "; ".join(answers[0] for answers in question.blanks)
    if isinstance(question, MatchingQuestion):
        return "; ".join(f"{pair.left} → {pair.right}" for pair in question.pairs)
    if isinstance(question, HotspotQuestion):
        return region_name(question.region)
    return ""


def response_text(question: Question, response: Any) -> str:
    """The learner's answer in words ("No answer" when there is none)."""
    if response is None:
        return "No answer"
    if isinstance(question, ChoiceQuestion):
        chosen = set(response if isinstance(response, list) else [response])
        return "; ".join(option.text for option in question.options if option.id in chosen) or "No answer"
    if isinstance(question, TrueFalseQuestion):
        return "True" if response else "False"
    if isinstance(question, ClozeQuestion) and isinstance(response, list):
        return "; ".join(str(text) or "—" for text in response)
    if isinstance(question, MatchingQuestion) and isinstance(response, dict):
        right = {pair.id: pair.right for pair in question.pairs}
        return "; ".join(f"{pair.left} → {right.get(str(response.get(pair.id)), '—')}" for pair in question.pairs)
    if isinstance(question, HotspotQuestion):
        return region_name(str(response))
    return str(response)


def answer_context(question: Question, response: object) -> dict[str, Any]:
    """Template variables for the answer page: grade, right answer, whys, sources."""
    result = grade(question, response)
    course = get_course()
    sources = [course.source(source_id) for source_id in question.sources if any(s.id == source_id for s in course.sources)]
    context: dict[str, Any] = {
        "question": question,
        "type_label": TYPE_LABELS.get(question.type, question.type),
        "grade": result,
        "correct_answer": correct_answer(question),
        "sources": sources,
        "pubmed_url": pubmed_url,
        "response": response,
    }
    if isinstance(question, ChoiceQuestion):
        chosen = chosen_options(response)
        context["option_rows"] = [(option, option.id in chosen) for option in question.options]
    elif isinstance(question, HotspotQuestion):
        context["map_views"] = answer_views(question.region, str(response))
        context["chosen_name"] = region_name(str(response))
    elif isinstance(question, ClozeQuestion):
        context["segments"] = cloze_segments(question.text)
    # Parts are keyed by pair id (matching) or blank number; learners read the left-hand text.
    context["part_labels"] = {p.id: p.left for p in question.pairs} if isinstance(question, MatchingQuestion) else {}
    return context


def timespan(delta: dt.timedelta) -> str:
    """A short human span like Anki's: "<1 min", "10 min", "3 h", "4 days", "2 mo"."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return "<1 min"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 86400:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    if days < 30:
        n = round(days)
        return f"{n} day" if n == 1 else f"{n} days"
    if days < 365:
        return f"{days / 30:.1f} mo".replace(".0 ", " ")
    return f"{days / 365:.1f} yr".replace(".0 ", " ")


def precise_timespan(delta: dt.timedelta) -> str:
    """A span one step finer than `timespan`: "90 min", "26 h", "1.5 days" (whole numbers stay whole)."""
    seconds = delta.total_seconds()
    if seconds < 60:
        return f"{max(0, round(seconds))} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    days = seconds / 86400
    text = f"{days:.1f}".removesuffix(".0")
    return f"{text} day" if text == "1" else f"{text} days"


def rating_previews(intervals: Sequence[dt.timedelta], thens: Sequence[dt.timedelta]) -> list[str]:
    """What each rating button would schedule, worded so that different choices never read the same.

    `intervals` are the waits each rating gives; `thens` the wait after the next
    good answer. Where two waits still read alike at a finer precision (the
    scheduler counts long waits in whole days), the later wait tells them apart.
    """
    labels = [timespan(delta) for delta in intervals]
    if len(set(labels)) < len(labels):
        labels = [precise_timespan(delta) for delta in intervals]
    tied = {label for label in labels if labels.count(label) > 1}
    return [f"{label}, then {timespan(then)}" if label in tied else label for label, then in zip(labels, thens)]
