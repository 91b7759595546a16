"""Lessons: Markdown with numbered citations and a source list; the pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from course.models import Evidence, Source
from webapp.platform.markdown import render_markdown

SOURCES = {
    "aa": Source(id="aa", authors=["Smith J"], title="On nerves", year=2001, publication="J Nerves", evidence=Evidence.PEER_REVIEWED, pmid=123),
    "bb": Source(id="bb", authors=["Doe K"], title="On necks", year=2010, publication="Necks", evidence=Evidence.NEWS),
}


def test_citations_are_numbered_in_order_of_first_use() -> None:
    rendered = render_markdown("First [@bb]. Then [@aa; @bb].\n\n## Part\n\nAgain [@aa].", SOURCES)
    html = str(rendered.html)
    assert [s.id for s in rendered.sources] == ["bb", "aa"]
    assert html.count('href="#source-bb"') == 2 and html.count('href="#source-aa"') == 2
    assert '<span class="visually-hidden">source </span>1</a>' in html
    assert "[@" not in html


def test_tables_render_and_raw_html_is_escaped() -> None:
    html = str(render_markdown("| A | B |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>", SOURCES).html)
    assert '<table>' in html and 'class="table-wrap" tabindex="0"' in html and "<td>1</td>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_plain_brackets_are_not_citations() -> None:
    html = str(render_markdown("A [link](https://example.org) and [not @aa] and [@].", SOURCES).html)
    assert '<a href="https://example.org">link</a>' in html
    assert "cite" not in html


def test_lesson_index_and_page_with_sources_and_study_button(app: Flask, student: FlaskClient) -> None:
    course = app.extensions["course"]
    lesson = next(l for l in course.lessons if any(course.source(s).pmid for sec in l.sections for s in sec.sources))
    index = student.get("/lessons/").get_data(as_text=True)
    assert lesson.title in index
    page = student.get(f"/lessons/{lesson.module}/{lesson.id}").get_data(as_text=True)
    assert "<h2" in page and 'class="cite"' in page
    assert "https://pubmed.ncbi.nlm.nih.gov/" in page
    assert f'/study/?lesson={lesson.id}' in page and "Study this lesson" in page


def test_lessons_readable_signed_out_and_unknown_lesson_404(app: Flask, client: FlaskClient) -> None:
    lesson = app.extensions["course"].lessons[0]
    page = client.get(f"/lessons/{lesson.module}/{lesson.id}")
    assert page.status_code == 200 and b"Sign up to study this lesson" in page.data
    assert client.get(f"/lessons/{lesson.module}/no-such-lesson").status_code == 404
    assert client.get(f"/lessons/wrong-module/{lesson.id}").status_code == 404
