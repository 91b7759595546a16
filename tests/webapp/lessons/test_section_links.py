"""From every answer to its lesson section: each question's link lands on a heading that exists."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.webapp.helpers import answer_fields, token_of, user_id
from webapp.platform.markdown import render_markdown, section_anchor
from webapp.questions.lessons import lesson_link


def test_section_anchors_are_stable_slugs_and_headings_carry_them() -> None:
    assert section_anchor("Axilla: the armpit") == "section-axilla-the-armpit"
    assert section_anchor("Calibrating the word \"danger\"") == "section-calibrating-the-word-danger"
    assert section_anchor("Épaule & co") == "section-epaule-co"
    html = str(render_markdown("Intro.\n\n## Axilla: the armpit\n\nText.\n\n### Deeper\n", {}).html)
    assert '<h2 id="section-axilla-the-armpit">Axilla: the armpit</h2>' in html
    assert "<h3>Deeper</h3>" in html  # only sections (level 2) are anchors


def test_every_question_links_to_a_section_that_exists(app: Flask, client: FlaskClient) -> None:
    bank = app.extensions["bank"]
    pages: dict[str, str] = {}
    with app.test_request_context():
        links = {question.id: lesson_link(question) for question in bank.questions}
    assert all(link is not None for link in links.values())
    with_section = 0
    for item_id, link in links.items():
        assert link is not None
        path, _, anchor = link.url.partition("#")
        if path not in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = response.get_data(as_text=True)
        if anchor:
            with_section += 1
            assert f'id="{anchor}"' in pages[path], (item_id, link.url)
    assert with_section == len(links)  # every question in this course finds its section


def test_the_arm_question_lands_on_its_own_site(app: Flask) -> None:
    bank = app.extensions["bank"]
    question = next(q for q in bank.questions if "inner side of the elbow" in q.stem)
    with app.test_request_context():
        link = lesson_link(question)
    assert link is not None and link.section is not None and "epicondyle" in link.section.lower()


def test_the_study_answer_page_links_to_the_lesson_section(app: Flask, student: FlaskClient) -> None:
    page = student.get("/study/")
    token = token_of(page.data)
    from webapp.questions.tokens import verify

    item_id = verify(app.config["SECRET_KEY"], token, user_id(app, "ada@example.com")).item_id
    question = app.extensions["bank"].get(item_id)
    answered = student.post("/study/answer", data={"presentation": token, **answer_fields(question, correct=False)},
                            follow_redirects=True)
    html = answered.get_data(as_text=True)
    match = re.search(r'<a class="lesson-link" href="([^"]+)">Read the lesson: ', html)
    assert match, html[:2000]
    with app.test_request_context():
        link = lesson_link(question)
    assert link is not None and match.group(1) == link.url
    # It sits right under the question, before the options' review: no scrolling past the reasons to find it.
    assert html.index("lesson-link") < html.index('class="option-review"') if 'class="option-review"' in html else True
