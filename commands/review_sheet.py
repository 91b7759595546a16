"""`massage-course review-sheet --out FILE.html` (every item on one page for a subject-matter reviewer)
and `massage-course review record|digest` (the review ledger, `course/content/reviews.yaml`).

`--blind` writes the sheet for a reviewer's blind attempt instead: each item as a
learner sees it (stem, options in the order shown, no key, reasons, explanation,
sources or review state), labelled "Item N" because an id often names its key.
`--item` keeps only the named items; the same selection numbers the items alike in
the blind sheet and in the full one, so a reviewer checks attempts against keys.

Grouped by module and lesson, each item shows its prompt, options or pairs with
the key marked, the explanation, full citations, its flags (safety-critical,
scenario, attribution, generated, unsafe options, declared variants) and the
review's findings, its latest verdict and whether the item changed since
(stale). `review record` appends a verdict with today's date; the date is read
here, never in `quizzes`. Everything from the content is HTML-escaped: the sheet is
read in a browser and the content is data, never markup.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

import click
import yaml

from course import CourseError, load_course
from course.loader import DEFAULT_CONTENT
from course.models import Course
from quizzes.bank import Bank, build_bank
from quizzes.bodymap import locate_spots, view_svg
from quizzes.cli import write_or_exit
from quizzes.errors import QuizError
from quizzes.ledger import digest, entry, latest, status
from quizzes.quality import Report, course_authors, is_attribution, review
from quizzes.questions import (
    TYPE_LABELS,
    ChoiceQuestion,
    ClozeQuestion,
    HotspotQuestion,
    MatchingQuestion,
    Question,
    TrueFalseQuestion,
)

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #444; } h3 { margin-top: 1.8rem; color: #444; }
.item { border: 1px solid #ccc; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; }
.id { font-family: monospace; color: #555; } .flag { display: inline-block; font-size: .8rem; padding: 0 .4rem;
  margin-right: .3rem; border-radius: 3px; background: #eee; } .flag.safety { background: #fde2e1; }
.flag.scenario { background: #e1f0fd; } .flag.attribution { background: #fff3c4; }
.key { font-weight: 600; } .wrong { color: #555; } .unsafe { color: #a00; } .why { color: #555; font-size: .9rem; }
.finding { color: #a00; } .finding.warning { color: #8a5a00; } .sources { font-size: .85rem; color: #444; }
.map { display: inline-block; width: 14rem; }
.figures { background: #f6f6f6; padding: .6rem 1rem; white-space: pre-wrap; font-family: monospace; font-size: .85rem; }
"""


@click.command("review-sheet")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="HTML file to write.")
@click.option("--content", type=click.Path(path_type=Path), default=None,
              help="Content folder (default: the packaged course).")
@click.option("--blind", is_flag=True,
              help="Items as a learner sees them, numbered, with no id, key, reason, explanation or review state.")
@click.option("--item", "items", multiple=True, metavar="ID", help="Only this item (repeat for more).")
def review_sheet_command(out: Path, content: Path | None, blind: bool, items: tuple[str, ...]) -> None:
    """Write the items (every one, or those named) to one HTML page: with keys, explanations, sources, flags and
    warnings, or as a learner sees them (--blind)."""
    bank = _bank(content)
    for item in items:
        _question(bank, item)
    html = render(bank, review(bank), blind=blind, only=frozenset(items) or None)
    write_or_exit(out, html)
    click.echo(f"wrote {len(set(items)) or len(bank)} items to {out}" + (" (blind)" if blind else ""))


LEDGER = Path("reviews.yaml")


@click.group("review")
def review_group() -> None:
    """The review ledger: record a verdict on an item, or show an item's digest."""


def _bank(content: Path | None) -> Bank:
    try:
        return build_bank(load_course(content) if content else load_course())
    except (CourseError, QuizError) as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from error


def _question(bank: Bank, item: str) -> Question:
    question = bank.get(item)
    if question is None:
        click.echo(f"unknown item '{item}'", err=True)
        raise SystemExit(1)
    return question


@review_group.command("digest")
@click.argument("item")
@click.option("--content", type=click.Path(path_type=Path), default=None, help="Content folder.")
def digest_command(item: str, content: Path | None) -> None:
    """Print the digest of what ITEM shows (what a review records)."""
    click.echo(digest(_question(_bank(content), item)))


@review_group.command("record")
@click.argument("item")
@click.option("--verdict", type=click.Choice(["pass", "rewritten", "fail"]), required=True)
@click.option("--note", default=None, help="What was wrong, or what changed.")
@click.option("--content", type=click.Path(path_type=Path), default=None, help="Content folder.")
def record_command(item: str, verdict: str, note: str | None, content: Path | None) -> None:
    """Append a verdict on ITEM, as it reads now, to the content's reviews.yaml."""
    bank = _bank(content)
    made = entry(_question(bank, item), verdict, dt.date.today(), note)
    path = (content or DEFAULT_CONTENT) / LEDGER
    text = path.read_text(encoding="utf-8") if path.exists() else "kind: reviews\nreviews: []\n"
    text = text.replace("reviews: []", "reviews:").rstrip("\n") + "\n"
    block = yaml.safe_dump([made], sort_keys=False, allow_unicode=True, width=110)
    write_or_exit(path, text + "".join(f"  {line}\n" for line in block.splitlines()))
    click.echo(f"recorded {verdict} for {item} ({made['digest']}) in {path}")


def render(bank: Bank, report: Report, *, blind: bool = False, only: frozenset[str] | None = None) -> str:
    """The review sheet as an HTML document: every item (or those in `only`), with keys unless `blind`."""
    course = bank.course
    title = ("Blind attempt: " if blind else "Review sheet: ") + course.title
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)} (release {course.release.isoformat()})</h1>",
    ]
    if blind:
        parts.append("<p>Answer each item before you see any key; note the wording you relied on.</p>")
    elif only is None:
        parts.append(f'<div class="figures">{escape(chr(10).join(report.lines()))}</div>')
        module_ids = {m.id for m in course.modules}
        parts.extend(f'<p class="finding {f.severity}">{escape(f.severity)}: {escape(f.message)}</p>'
                     for f in report.findings if f.item in module_ids or f.item == "truefalse")
    authors = course_authors(bank)
    number = 0
    for module in course.modules:
        lessons = [(lesson, [q for q in bank.by_lesson(lesson.id) if only is None or q.id in only])
                   for lesson in course.lessons_of(module.id)]
        if not any(items for _, items in lessons):
            continue
        parts.append(f'<h2 id="{escape(module.id)}">{escape(module.title)}</h2>')
        for lesson, items in lessons:
            if not items:
                continue
            if not blind:  # a lesson's title can name the answer; the module is all a learner knows
                parts.append(f'<h3>{escape(lesson.title)} <span class="id">({escape(lesson.id)}, {len(items)} items)</span></h3>')
            for question in items:
                number += 1
                parts.append(_shown_item(number, question) if blind
                             else _item(course, question, report, authors, number))
    parts.append(f"<p class=\"sources\">Generated {escape(dt.date.today().isoformat())} by massage-course review-sheet.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _shown_item(number: int, question: Question) -> str:
    """One item as a learner sees it: its number and type, the stem and the choices, nothing that tells the key."""
    return "\n".join([f'<div class="item" id="item-{number}">',
                      f'<div><span class="id">Item {number}</span> <span class="flag">{escape(TYPE_LABELS[question.type])}</span></div>',
                      f"<p>{escape(question.stem)}</p>", _choices(question), "</div>"])


def _choices(question: Question) -> str:
    if isinstance(question, ChoiceQuestion):
        hint = "<p><i>Select every option that applies.</i></p>" if question.type == "multi" else ""
        return hint + '<ol type="A">' + "".join(f"<li>{escape(o.text)}</li>" for o in question.options) + "</ol>"
    if isinstance(question, TrueFalseQuestion):
        return "<p><i>True or false?</i></p>"
    if isinstance(question, ClozeQuestion):
        text = escape(question.text)
        for blank in range(1, len(question.blanks) + 1):
            text = text.replace(escape(f"{{{{{blank}}}}}"), f"[blank {blank}]")
        return f"<p>{text}</p>"
    if isinstance(question, MatchingQuestion):
        right = {pair.id: pair.right for pair in question.pairs}
        return ("<p><i>Match each entry on the left to one on the right; each is used once.</i></p><ol>"
                + "".join(f"<li>{escape(pair.left)}</li>" for pair in question.pairs) + '</ol><ol type="A">'
                + "".join(f"<li>{escape(right[pair_id])}</li>" for pair_id in question.right_order) + "</ol>")
    if isinstance(question, HotspotQuestion):
        # As the study page offers it: the drawing without names, and regions by position only.
        spots = locate_spots(question.regions)
        views = "".join(f'<div class="map">{view_svg(view)}</div>'
                        for view in dict.fromkeys(spot.view for spot in spots))
        return (f"<p><i>Tap one region of the body map:</i> {escape('; '.join(spot.label for spot in spots))}</p>"
                + views)
    return ""


def _item(course: Course, question: Question, report: Report, authors: frozenset[str], number: int) -> str:
    authored = next((item for item in course.questions if item.id == question.id), None)
    flags = [(TYPE_LABELS[question.type], "")]
    if question.safety_critical:
        flags.append(("safety-critical", "safety"))
    if authored is not None and authored.scenario:
        flags.append(("scenario", "scenario"))
    if is_attribution(question, authors):
        flags.append(("attribution", "attribution"))
    if question.origin == "generated":
        flags.append(("generated", ""))
    if authored is not None and authored.variant_of:
        flags.append((f"variant of {authored.variant_of}", ""))
    if authored is not None and authored.distinct_from:
        flags.append(("distinct from " + ", ".join(authored.distinct_from), ""))
    flags.extend((f"topic: {tag}", "") for tag in question.tags)
    last = latest(course.reviews).get(question.id)
    state = status(question, last)
    if last is None:
        flags.append(("unreviewed", ""))
    else:
        flags.append((f"review: {last.verdict} {last.date.isoformat()}" + (" (stale)" if state == "stale" else ""),
                      "attribution" if state == "stale" else ""))
    out = [f'<div class="item" id="{escape(question.id)}">',
           f'<div><span class="id">Item {number}: {escape(question.id)}</span> '
           + "".join(f'<span class="flag {cls}">{escape(text)}</span>' for text, cls in flags) + "</div>",
           f"<p>{escape(question.stem)}</p>", _answer(question),
           f'<p><b>Explanation.</b> {escape(question.explanation)}</p>']
    citations = []
    for source_id in question.sources:
        try:
            citations.append(course.source(source_id).citation())
        except KeyError:
            citations.append(source_id)
    out.append('<p class="sources"><b>Sources.</b> ' + "<br>".join(escape(c) for c in citations) + "</p>")
    for finding in report.of(question.id):
        out.append(f'<p class="finding {escape(finding.severity)}">{escape(finding.severity)}: {escape(finding.message)}</p>')
    out.append("</div>")
    return "\n".join(out)


def _answer(question: Question) -> str:
    if isinstance(question, ChoiceQuestion):
        rows: list[str] = []
        for option in question.options:
            mark = "✔" if option.correct else "✘"
            cls = "key" if option.correct else "unsafe" if option.unsafe else "wrong"
            unsafe = " <b>(unsafe)</b>" if option.unsafe else ""
            rows.append(f'<li class="{cls}">{mark} {escape(option.text)}{unsafe}'
                        f'<div class="why">{escape(option.why)}</div></li>')
        return "<ul>" + "".join(rows) + "</ul>"
    if isinstance(question, TrueFalseQuestion):
        return f'<p class="key">Key: {"True" if question.answer else "False"}</p><p class="why">{escape(question.reason)}</p>'
    if isinstance(question, ClozeQuestion):
        text = escape(question.text)
        for number, answers in enumerate(question.blanks, start=1):
            text = text.replace(escape(f"{{{{{number}}}}}"), f'<span class="key">[{escape(" / ".join(answers))}]</span>')
        return f"<p>{text}</p>"
    if isinstance(question, MatchingQuestion):
        table = "".join(f"<tr><td>{escape(p.left)}</td><td class=\"key\">{escape(p.right)}</td></tr>" for p in question.pairs)
        return f"<table>{table}</table>"
    if isinstance(question, HotspotQuestion):
        return f'<p class="key">Key: body-map region {escape(question.region)}</p>'
    return ""
