"""Lesson Markdown to HTML: CommonMark plus tables, with `[@id]` citations numbered.

Citations become numbered links to a source list under the lesson, numbered in
order of first citation, as in a journal article. Raw HTML in lessons is off:
authors write Markdown, and escaping everything keeps a typo from breaking a page.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markupsafe import Markup, escape

from course.models import Lesson, Source


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: `[@a]` or `[@a; @b]` becomes one `citation` token."""
    src, pos = state.src, state.pos
    if not src.startswith("[@", pos):
        return False
    end = src.find("]", pos)
    if end < 0:
        return False
    parts = [part.strip() for part in src[pos + 1 : end].split(";")]
    if not all(part.startswith("@") and len(part) > 1 and " " not in part for part in parts):
        return False
    ids = [part[1:] for part in parts]
    if not silent:
        numbers: dict[str, int] = state.env.setdefault("citations", {})
        for source_id in ids:
            numbers.setdefault(source_id, len(numbers) + 1)
        token = state.push("citation", "", 0)
        token.meta = {"ids": ids}
    state.pos = end + 1
    return True


def _render_citation(self: RendererHTML, tokens: Sequence[Token], idx: int, _options: Any, env: dict[str, Any]) -> str:
    numbers: dict[str, int] = env["citations"]
    links = ", ".join(
        f'<a href="#source-{escape(source_id)}"><span class="visually-hidden">source </span>{numbers[source_id]}</a>'
        for source_id in tokens[idx].meta["ids"]
    )
    return f'<sup class="cite">[{links}]</sup>'


def _table_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Wide tables scroll inside their own box instead of widening a phone's page.
    return '<div class="table-wrap" tabindex="0" role="region" aria-label="Table (scrolls sideways on small screens)">' + self.renderToken(tokens, idx, options, env)


def _table_close(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>"


def section_anchor(heading: str) -> str:
    """The id of a lesson section's `## heading` ("Axilla: the armpit" -> "section-axilla-the-armpit").

    Answer pages link to it, so it is derived from the heading text alone and
    stays the same for as long as the heading does.
    """
    plain = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", plain.lower())
    return "section-" + ("-".join(words) or "top")


def _heading_open(self: RendererHTML, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Level-2 headings are the lesson's sections (`course.lessons`); answers link to them by id.
    token = tokens[idx]
    if token.tag == "h2" and idx + 1 < len(tokens) and tokens[idx + 1].type == "inline":
        token.attrSet("id", section_anchor(tokens[idx + 1].content))
    return self.renderToken(tokens, idx, options, env)


def make_markdown() -> MarkdownIt:
    """The configured renderer (CommonMark + tables + citations, no raw HTML)."""
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.add_render_rule("citation", _render_citation)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    md.add_render_rule("heading_open", _heading_open)
    return md


_MD = make_markdown()


@dataclass(frozen=True)
class RenderedLesson:
    """A lesson's HTML and the sources it cites, in citation-number order."""

    html: Markup
    sources: tuple[Source, ...]


def render_markdown(text: str, sources: dict[str, Source]) -> RenderedLesson:
    """Render Markdown `text`, numbering citations; unknown ids are left out of the list."""
    env: dict[str, Any] = {"citations": {}}
    html = _MD.render(text, env)
    cited = tuple(sources[source_id] for source_id in env["citations"] if source_id in sources)
    return RenderedLesson(Markup(html), cited)  # course text rendered with raw HTML off (html=False)  # nosec B704


def render_lesson(lesson: Lesson, sources: dict[str, Source]) -> RenderedLesson:
    """Render one lesson's body with its numbered source list."""
    return render_markdown(lesson.body, sources)


def pubmed_url(source: Source) -> str | None:
    """The PubMed page of `source`, when it has a PubMed id."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/" if source.pmid else None
