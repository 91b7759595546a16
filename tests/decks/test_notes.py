"""Question -> note: identity from the id only, tags, fields per type, escaping."""

from __future__ import annotations

import dataclasses

import pytest

from course import Course
from decks import models
from decks.errors import DecksError
from decks.ids import module_deck_id, module_deck_name, note_guid
from decks.notes import Lookup, _paragraphs, tags, to_note
from quizzes.facts import SiteFacts
from quizzes.questions import ClozeQuestion, Question
from tests.decks.conftest import sample_questions


@pytest.fixture
def lookup(course: Course) -> Lookup:
    return Lookup.of(course)


@pytest.fixture
def questions() -> dict[str, Question]:
    return {question.id: question for question in sample_questions()}


def test_guid_depends_on_the_item_id_only(questions: dict[str, Question], lookup: Lookup) -> None:
    original = questions["t-mcq"]
    edited = dataclasses.replace(original, stem="A reworded stem?", explanation="Reworded.")
    assert to_note(original, lookup).guid == to_note(edited, lookup).guid == note_guid("t-mcq")
    assert note_guid("t-mcq") != note_guid("t-multi")


def test_tags_are_hierarchical(questions: dict[str, Question]) -> None:
    assert tags(questions["t-mcq"]) == [
        "MSC::module::endangerment-sites",
        "MSC::topic::neck",
        "MSC::topic::vessels",
        "MSC::mblex::pathology-contraindications",
        "MSC::safety-critical",
        "MSC::difficulty::2",
        "MSC::type::mcq",
    ]
    assert "MSC::safety-critical" not in tags(questions["t-multi"])


def test_each_type_gets_its_note_type(questions: dict[str, Question], lookup: Lookup) -> None:
    expected = {"t-mcq": models.CHOICE, "t-multi": models.CHOICE, "t-tf": models.BASIC,
                "t-match": models.BASIC, "t-cloze": models.CLOZE, "t-hotspot": models.BODY_MAP,
                "t-scenario": models.BASIC}
    for item_id, model in expected.items():
        note = to_note(questions[item_id], lookup)
        assert note.model is model
        assert len(note.fields) == len(model.fields)
        explanation, lesson, source, personal = note.fields[-4:]
        assert [field["name"] for field in model.fields][-4:] == ["Explanation", "Lesson", "Source", "Personal notes"]
        assert source.startswith("Source: ") and "Ingraham" in source
        assert lesson == "Read more: the lesson “The sites of the neck and head”."
        assert personal == ""  # the learner's, never ours
        if item_id != "t-hotspot":
            assert "<p>Why it matters.</p><p>A second paragraph.</p>" == explanation


def test_cloze_blanks_become_numbered_deletions(questions: dict[str, Question], lookup: Lookup) -> None:
    note = to_note(questions["t-cloze"], lookup)
    text, prompt, accepted = note.fields[:3]
    assert prompt == "Fill in the blanks."
    assert text == "The {{c1::ulnar}} nerve is exposed at the {{c2::medial epicondyle}} &amp; nearby."
    assert accepted == "Also accepted: blank 2: funny bone"
    assert sorted(card.ord for card in note.cards) == [0, 1]


def test_cloze_answer_cannot_end_the_deletion_early(questions: dict[str, Question], lookup: Lookup) -> None:
    question = questions["t-cloze"]
    assert isinstance(question, ClozeQuestion)
    tricky = dataclasses.replace(question, blanks=(("C5::C6 }}",), ("x",)))
    text = to_note(tricky, lookup).fields[0]
    assert "{{c1::C5&#58;&#58;C6 &#125;&#125;}}" in text


def test_only_matching_gets_a_reverse_card(questions: dict[str, Question], lookup: Lookup) -> None:
    match = to_note(questions["t-match"], lookup)
    truefalse = to_note(questions["t-tf"], lookup)
    assert [card.ord for card in match.cards] == [0, 1]
    assert [card.ord for card in truefalse.cards] == [0]
    # the reverse lists the right-hand sides in their shown order
    front, back, reverse, reverse_answer = match.fields[:4]
    assert reverse.index("Ulnar nerve") < reverse.index("Axillary artery") < reverse.index("Tibial nerve")
    assert back.count("<tr>") == 4 and back.index("<td>Axilla</td><td>Axillary artery</td>") < back.index("Popliteal")
    # and its answer goes from right to left, in that same order
    assert reverse_answer.count("<tr>") == 4
    assert reverse_answer.startswith('<table class="pairs"><tbody><tr><td>Ulnar nerve</td><td>Medial epicondyle</td>')
    assert (reverse_answer.index("Ulnar nerve") < reverse_answer.index("Axillary artery")
            < reverse_answer.index("Facial nerve") < reverse_answer.index("Tibial nerve"))


def test_choice_back_explains_every_option(questions: dict[str, Question], lookup: Lookup) -> None:
    question, options, answer, why = to_note(questions["t-mcq"], lookup).fields[:4]
    assert options.count("<li>") == 3
    assert answer == "A. Carotid artery"
    assert why.count("<li") == 3 and why.count("Unsafe in practice.") == 1
    multi_question, _, multi_answer, _ = to_note(questions["t-multi"], lookup).fields[:4]
    assert "Select all that apply." in multi_question
    assert multi_answer == "A. Axillary artery<br>B. Brachial plexus"


def test_body_map_note_shows_the_site_image_without_naming_it(questions: dict[str, Question],
                                                              lookup: Lookup) -> None:
    site, image, location, at_risk = to_note(questions["t-hotspot"], lookup).fields[:4]
    assert site == "Axilla" and location == "the armpit"
    assert 'src="msc-bodymap-axilla.svg"' in image and "xilla" not in image.replace("msc-bodymap-axilla", "")
    assert "Brachial plexus" in at_risk


def test_text_is_escaped(questions: dict[str, Question], lookup: Lookup) -> None:
    question = dataclasses.replace(questions["t-tf"], stem="Is <script>alert(1)</script> a risk?")
    assert "&lt;script&gt;" in to_note(question, lookup).fields[0]


def test_unknown_source_or_site_is_a_clear_error(questions: dict[str, Question], lookup: Lookup) -> None:
    with pytest.raises(DecksError, match="t-tf: unknown source 'nope'"):
        to_note(dataclasses.replace(questions["t-tf"], sources=("nope",)), lookup)
    with pytest.raises(DecksError, match="t-hotspot: unknown endangerment site 'elbow'"):
        to_note(dataclasses.replace(questions["t-hotspot"], region="elbow"), lookup)


def test_deck_ids_and_names_are_fixed() -> None:
    assert module_deck_id("endangerment-sites") == module_deck_id("endangerment-sites")
    assert module_deck_id("endangerment-sites") != module_deck_id("nerve-injury")
    assert 1 << 30 <= module_deck_id("neck-safety") < 1 << 31
    assert module_deck_name("Endangerment sites") == "Massage Safety::Endangerment sites"
    assert module_deck_name("A::B") == "Massage Safety::A:B"


def test_identity_derivations_never_change() -> None:
    # Pinned: a different derivation would duplicate every learner's notes and decks.
    assert note_guid("site-map--axilla") == "j}>1u-lf<I"
    assert module_deck_id("endangerment-sites") == 2082314721


def test_the_lesson_is_named_and_linked_only_with_a_public_url(course: Course, questions: dict[str, Question]) -> None:
    question = dataclasses.replace(questions["t-tf"], explanation="Move off. See the lesson “Anything”.")
    plain = to_note(question, Lookup.of(course)).fields
    assert plain[-3] == "Read more: the lesson “The sites of the neck and head”." and "href" not in plain[-3]
    assert plain[-4] == "<p>Move off.</p>"  # no pointer to a page an Anki user cannot open
    linked = to_note(question, Lookup.of(course, public_url="https://course.example.org/")).fields[-3]
    assert linked == ('Read more: the lesson <a href="https://course.example.org/lessons/endangerment-sites/'
                      'neck-and-head-sites">“The sites of the neck and head”</a>.<br>'
                      '<a class="report" href="https://course.example.org/report/t-tf">Report a problem with this card</a>')


def test_scenario_fronts_ask_for_the_site_by_name(questions: dict[str, Question], lookup: Lookup) -> None:
    scenario = questions["t-scenario"]
    fronts = {
        "Where is the ulnar nerve most exposed? Select the site on the body map.":
            '<p>Where is the ulnar nerve most exposed?</p><div class="hint">Name the site.</div>',
        "A zap into the little finger. Select the site where you were most likely working.":
            "<p>A zap into the little finger. Name the site where you were most likely working.</p>",
        "On the body map, select the area where the carotid artery lies.":
            "<p>Name the area where the carotid artery lies.</p>",
        "After the zap, select the site you were working on.":
            "<p>After the zap, name the site you were working on.</p>",
    }
    for stem, front in fronts.items():
        assert to_note(dataclasses.replace(scenario, stem=stem), lookup).fields[0] == front


def test_body_map_explanation_does_not_repeat_the_card(course: Course, questions: dict[str, Question],
                                                       lookup: Lookup) -> None:
    facts = SiteFacts.of(course)
    site = facts.by_id["axilla"]
    question = dataclasses.replace(questions["t-hotspot"], explanation=facts.explain(site))
    fields = to_note(question, lookup).fields
    explanation = fields[-4]
    assert site.location not in explanation and "At risk here" not in explanation and "See the lesson" not in explanation
    assert explanation == (_paragraphs(site.note.strip()) if site.note else "")


def test_select_all_that_apply_is_said_once(questions: dict[str, Question], lookup: Lookup) -> None:
    multi = questions["t-multi"]
    said = dataclasses.replace(multi, stem="Which lie at the axilla? Select all that apply.")
    assert to_note(said, lookup).fields[0].count("Select all that apply.") == 1
    assert to_note(multi, lookup).fields[0].count("Select all that apply.") == 1
