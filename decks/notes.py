"""One question -> one Anki note: fields as HTML, GUID from the item id, tags.

Question text is plain text, so every piece is HTML-escaped before it goes into
a field; the markup around it is ours. Which note type each question type
becomes, and why, is documented in decks.models.

The bank is written for the web app, so a few things are rewritten for Anki,
where there is no body map to tap and no lesson page one click away:
- an authored body-map question's "Select the site (on the body map)" becomes
  "Name the site": the Anki front is text, the map comes on the back;
- "See the lesson “…”" sentences leave the explanation; every note has a
  Lesson field instead (the title, linked only when a public URL is given,
  and then followed by a link to report a problem with the card on that site);
- a body-map note's explanation loses the site, location and structures that
  the card already shows just above it;
- "Select all that apply." is said once, not by the stem and the hint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import genanki

from course.models import Course, EndangermentSite, Lesson, Source
from decks import models
from decks.errors import DecksError
from decks.ids import body_map_media_name, note_guid
from quizzes.facts import at_risk
from quizzes.questions import (
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)

_BLANK = re.compile(r"\{\{(\d+)\}\}")
_LETTERS = "ABCDEFGHIJ"
_SEE_LESSON = re.compile(r"\s*See the lesson “[^”]*”\.")
_ON_THE_MAP = re.compile(r"\s*Select the (site|area) on the body map\.", re.IGNORECASE)
_SELECT = re.compile(r"(?:On the body map, )?select the (site|area)\b", re.IGNORECASE)
_ALL_THAT_APPLY = "Select all that apply."


@dataclass(frozen=True)
class Lookup:
    """What notes cite from the course besides the question, and where the web app is."""

    sources: dict[str, Source]
    sites: dict[str, EndangermentSite]
    lessons: dict[str, Lesson]
    # The web app's public address (e.g. https://course.example.org), for links
    # to lesson pages; None: the lesson is named, not linked.
    public_url: str | None = None

    @classmethod
    def of(cls, course: Course, public_url: str | None = None) -> Lookup:
        """Index a course's sources, sites and lessons by id."""
        return cls({s.id: s for s in course.sources}, {s.id: s for s in course.sites},
                   {lesson.id: lesson for lesson in course.lessons}, public_url.rstrip("/") if public_url else None)


def to_note(question: Question, lookup: Lookup) -> genanki.Note:
    """The Anki note for `question` (its GUID is the item id's, whatever the text says).

    Raises:
        DecksError: the question cites a source or site the course does not have,
            or is of a type with no note type.
    """
    common = (_explanation(question, lookup), _lesson(question, lookup), _sources(question, lookup), "")
    if isinstance(question, ChoiceQuestion):
        model, fields = models.CHOICE, _choice_fields(question)
    elif isinstance(question, TrueFalseQuestion):
        model, fields = models.BASIC, _truefalse_fields(question)
    elif isinstance(question, MatchingQuestion):
        model, fields = models.BASIC, _matching_fields(question)
    elif isinstance(question, ClozeQuestion):
        model, fields = models.CLOZE, _cloze_fields(question)
    elif isinstance(question, HotspotQuestion) and question.origin == "generated":
        model, fields = models.BODY_MAP, _body_map_fields(question, lookup)
    elif isinstance(question, HotspotQuestion):
        model, fields = models.BASIC, _scenario_map_fields(question, lookup)
    else:
        raise DecksError(f"{question.id}: no Anki note type for question type '{question.type}'")
    return genanki.Note(model=model, fields=[*fields, *common], guid=note_guid(question.id), tags=tags(question))


def tags(question: Question) -> list[str]:
    """Hierarchical tags: module, topic, MBLEx area, safety-critical, difficulty, question type."""
    result = [f"MSC::module::{question.module}"]
    result += [f"MSC::topic::{tag}" for tag in question.tags]
    result.append(f"MSC::mblex::{question.mblex}")
    if question.safety_critical:
        result.append("MSC::safety-critical")
    result.append(f"MSC::difficulty::{question.difficulty}")
    result.append(f"MSC::type::{question.type}")
    # Anki separates tags with spaces; content slugs never contain one, but a space would split a tag silently.
    return [tag.replace(" ", "_") for tag in result]


def _choice_fields(question: ChoiceQuestion) -> list[str]:
    if len(question.options) > len(_LETTERS):
        raise DecksError(f"{question.id}: more than {len(_LETTERS)} options")
    prompt = _paragraphs(question.stem)
    if question.type == "multi" and _ALL_THAT_APPLY.casefold() not in question.stem.casefold():
        prompt += f'<div class="hint">{_ALL_THAT_APPLY}</div>'
    options = _list((escape(option.text) for option in question.options), "ol", 'class="options" type="A"')
    lettered = list(zip(_LETTERS, question.options, strict=False))
    answer = "<br>".join(f"{letter}. {escape(option.text)}" for letter, option in lettered if option.correct)
    why = []
    for letter, option in lettered:
        verdict = "correct" if option.correct else "wrong"
        flag = ' <span class="unsafe-flag">Unsafe in practice.</span>' if option.unsafe else ""
        css = verdict + (" unsafe" if option.unsafe else "")
        why.append(f'<li class="{css}"><span class="label">{letter} ({verdict}).</span> '
                   f"{escape(option.text)} — {escape(option.why)}{flag}</li>")
    return [prompt, options, answer, f'<ul class="why">{"".join(why)}</ul>']


def _truefalse_fields(question: TrueFalseQuestion) -> list[str]:
    # Most authored statements already open with "True or false:".
    hint = "" if question.stem.casefold().startswith("true or false") else '<div class="hint">True or false?</div>'
    front = hint + _paragraphs(question.stem)
    back = f'<div class="answer">{"True" if question.answer else "False"}.</div>' + _paragraphs(question.reason)
    return [front, back, "", ""]


def _matching_fields(question: MatchingQuestion) -> list[str]:
    by_id = {pair.id: pair for pair in question.pairs}
    try:
        rights = [by_id[pair_id].right for pair_id in question.right_order]
    except KeyError as error:
        raise DecksError(f"{question.id}: right_order names unknown pair {error}") from None
    front = _paragraphs(question.stem) + _list(escape(pair.left) for pair in question.pairs)
    reverse = (_paragraphs(question.stem) + '<div class="hint">The other way round: recall what each one pairs with.</div>'
               + _list(escape(right) for right in rights))
    forward = _pairs((pair.left, pair.right) for pair in question.pairs)
    # The reverse card asks from the right-hand side, in the order its front lists them.
    backward = _pairs((by_id[pair_id].right, by_id[pair_id].left) for pair_id in question.right_order)
    return [front, forward, reverse, backward]


def _pairs(rows: Iterable[tuple[str, str]]) -> str:
    cells = "".join(f"<tr><td>{escape(asked)}</td><td>{escape(answer)}</td></tr>" for asked, answer in rows)
    return f'<table class="pairs"><tbody>{cells}</tbody></table>'


def _cloze_fields(question: ClozeQuestion) -> list[str]:
    def blank(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(question.blanks) or not question.blanks[number - 1]:
            raise DecksError(f"{question.id}: blank {{{{{number}}}}} has no answer")
        # `::` and `}}` inside an answer would end Anki's cloze early.
        answer = escape(question.blanks[number - 1][0]).replace(":", "&#58;").replace("}", "&#125;")
        return f"{{{{c{number}::{answer}}}}}"

    text = _BLANK.sub(blank, escape(question.text))
    others = [f"blank {n}: {escape(', '.join(answers[1:]))}"
              for n, answers in enumerate(question.blanks, start=1) if len(answers) > 1]
    accepted = ("Also accepted: " + "; ".join(others)) if others else ""
    prompt = "" if question.stem.strip() == question.text.strip() else escape(question.stem)
    # The text first: it is what tells one cloze note from another (many share a prompt).
    return [text, prompt, accepted]


def _body_map_fields(question: HotspotQuestion, lookup: Lookup) -> list[str]:
    site = _site(question, lookup)
    at_risk = _list(f'{escape(s.name)} <span class="hint">({s.kind.value})</span>' for s in site.structures)
    return [escape(site.name), _map_image(site), escape(site.location), at_risk]


def _scenario_map_fields(question: HotspotQuestion, lookup: Lookup) -> list[str]:
    # An authored hotspot asks through a scenario, which a "name this site"
    # card would throw away (and the generated site-map note already asks that).
    site = _site(question, lookup)
    stem = _name_the_site(question.stem)
    hint = "" if "name the" in stem.casefold() else '<div class="hint">Name the site.</div>'
    front = _paragraphs(stem) + hint
    back = (f'<div class="site">{escape(site.name)}</div><div class="hint">{escape(site.location)}</div>'
            f'<div class="bodymap">{_map_image(site)}</div>')
    return [front, back, "", ""]


def _name_the_site(stem: str) -> str:
    """A web-app hotspot stem ("Select the site on the body map") as an Anki front asks it: by name."""
    stem = _ON_THE_MAP.sub("", stem)
    def name(match: re.Match[str]) -> str:
        return f"{'N' if match.group(0)[0].isupper() else 'n'}ame the {match.group(1).lower()}"

    return _SELECT.sub(name, stem).strip()


def _explanation(question: Question, lookup: Lookup) -> str:
    text = _SEE_LESSON.sub("", question.explanation)
    if isinstance(question, HotspotQuestion) and question.origin == "generated":
        # The card shows the site, its location and what is at risk right above the explanation.
        site = _site(question, lookup)
        text = text.removeprefix(f"{site.name}: {site.location}. At risk here: {at_risk(site.structures)}.")
    return _paragraphs(text)


def _lesson(question: Question, lookup: Lookup) -> str:
    lesson = lookup.lessons.get(question.lesson)
    if lesson is None:
        raise DecksError(f"{question.id}: unknown lesson '{question.lesson}'")
    title = f"“{escape(lesson.title)}”"
    if not lookup.public_url:
        return f"Read more: the lesson {title}."
    lesson_url = f"{lookup.public_url}/lessons/{lesson.module}/{lesson.id}"
    # The web app's report form for this item (sign-in first): a learner in Anki
    # reaches the same authors as one in the browser.
    report_url = f"{lookup.public_url}/report/{quote(question.id)}"
    return (f'Read more: the lesson <a href="{escape(lesson_url)}">{title}</a>.'
            f'<br><a class="report" href="{escape(report_url)}">Report a problem with this card</a>')


def _site(question: HotspotQuestion, lookup: Lookup) -> EndangermentSite:
    site = lookup.sites.get(question.region)
    if site is None:
        raise DecksError(f"{question.id}: unknown endangerment site '{question.region}'")
    return site


def _map_image(site: EndangermentSite) -> str:
    # The alt text must not name the site: a front may ask for it.
    return f'<img src="{body_map_media_name(site.id)}" alt="Body map with one endangerment site highlighted">'


def _sources(question: Question, lookup: Lookup) -> str:
    items = []
    for source_id in question.sources:
        source = lookup.sources.get(source_id)
        if source is None:
            raise DecksError(f"{question.id}: unknown source '{source_id}'")
        url = source.url or (f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/" if source.pmid else None)
        link = f' <a href="{escape(url)}">link</a>' if url else ""
        items.append(f"{escape(source.citation())} <i>({source.evidence.value})</i>{link}")
    return ("Source: " + _list(items)) if items else ""


def _paragraphs(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines separate them, single newlines break lines)."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    return "".join(f"<p>{escape(block).replace(chr(10), '<br>')}</p>" for block in blocks)


def _list(items: Iterable[str], tag: str = "ul", attributes: str = 'class="items"') -> str:
    return f"<{tag} {attributes}>" + "".join(f"<li>{item}</li>" for item in items) + f"</{tag}>"
