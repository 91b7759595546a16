"""The bank as Moodle XML, the format of Moodle's question-bank importer.

Every question carries its id as `<name>` and as `<idnumber>` (Moodle's "ID
number", which its importer keeps for every type we export; older versions
drop it for cloze questions), its explanation and citations as
`<generalfeedback>`, its MBLEx area and tags as `<tags>`, and is filed under a
`category` question per module. Moodle's import always adds questions: importing
the file again duplicates them, and Moodle refuses an ID number already used in
the category, so re-import into a new or emptied category. Mapping of types:

- mcq -> `multichoice` with `<single>true</single>`, the right answer at fraction 100;
- multi -> `multichoice` with `<single>false</single>`: right answers share 100,
  wrong ones take the same share negatively (the scoring of `quizzes.grading`);
- truefalse -> `truefalse` (answers "true"/"false", fractions 100/0);
- cloze -> `cloze` (Moodle's embedded answers), one `{1:SHORTANSWER:=a~=b}` per blank,
  each answer written so Moodle's cloze parser reads it back exactly (`cloze_escape`);
- matching -> `matching` with one `<subquestion>` per pair;
- hotspot -> `multichoice` of site names: Moodle has no body-map question type
  (see `quizzes.export_common`).

Text is exported as HTML (escaped plain text, line breaks as <br>).
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET

from course.models import CLOZE_BLANK
from quizzes.bank import Bank
from quizzes.export_common import category, exportable, general_feedback
from quizzes.export_gift import weight
from quizzes.questions import ChoiceQuestion, ClozeQuestion, MatchingQuestion, Question, TrueFalseQuestion

PENALTY = "0.3333333"
# How each character special to an embedded answer is written (see `cloze_escape`).
_CLOZE_ANSWER = {
    "}": "\\}", "#": "\\#",  # the two escapes Moodle's parser undoes
    "~": "&#126;", "\\": "&#92;", "&": "&#38;",  # no escape exists: character references, which it decodes
    "<": "&lt;", ">": "&gt;",  # the question text is HTML
}


def as_html(text: str) -> str:
    """Plain text as an HTML fragment."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def to_moodle_xml(bank: Bank) -> str:
    """The whole bank as a Moodle XML document."""
    quiz = ET.Element("quiz")
    current = None
    for question in exportable(bank):
        where = category(question, bank.course)
        if where != current:
            _category(quiz, where)
            current = where
        _question(quiz, question, general_feedback(question, bank.course))
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="unicode", xml_declaration=False).join(
        ['<?xml version="1.0" encoding="UTF-8"?>\n', "\n"])


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html") -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(element, "text").text = value
    return element


def _category(quiz: ET.Element, path: str) -> None:
    element = ET.SubElement(quiz, "question", type="category")
    _text(element, "category", f"$course$/top/{path}", fmt=None)


def _question(quiz: ET.Element, question: Question, feedback: str) -> None:
    kind = {"mcq": "multichoice", "multi": "multichoice", "truefalse": "truefalse", "cloze": "cloze",
            "matching": "matching"}[question.type]
    element = ET.SubElement(quiz, "question", type=kind)
    _text(element, "name", question.id, fmt=None)
    text = _cloze_text(question) if isinstance(question, ClozeQuestion) else as_html(question.stem)
    _text(element, "questiontext", text)
    if isinstance(question, TrueFalseQuestion):
        feedback = f"{question.reason}\n\n{feedback}"
    _text(element, "generalfeedback", as_html(feedback))
    ET.SubElement(element, "defaultgrade").text = "1"
    ET.SubElement(element, "penalty").text = PENALTY
    ET.SubElement(element, "hidden").text = "0"
    ET.SubElement(element, "idnumber").text = question.id
    if isinstance(question, ChoiceQuestion):
        _choices(element, question)
    elif isinstance(question, TrueFalseQuestion):
        for value in (True, False):
            answer = ET.SubElement(element, "answer", fraction="100" if value == question.answer else "0",
                                   format="moodle_auto_format")
            ET.SubElement(answer, "text").text = str(value).lower()
            _text(answer, "feedback", as_html(question.reason))
    elif isinstance(question, MatchingQuestion):
        ET.SubElement(element, "shuffleanswers").text = "true"
        _combined_feedback(element)
        for pair in question.pairs:
            sub = _text(element, "subquestion", as_html(pair.left))
            answer = ET.SubElement(sub, "answer")
            ET.SubElement(answer, "text").text = pair.right
    tags = ET.SubElement(element, "tags")
    safety = ("safety-critical",) if question.safety_critical else ()
    for tag in (f"mblex-{question.mblex}", question.origin, *question.tags, *safety):
        ET.SubElement(ET.SubElement(tags, "tag"), "text").text = tag


def _combined_feedback(element: ET.Element) -> None:
    _text(element, "correctfeedback", "Correct.")
    _text(element, "partiallycorrectfeedback", "Partly correct.")
    _text(element, "incorrectfeedback", "Incorrect.")
    ET.SubElement(element, "shownumcorrect")


def _choices(element: ET.Element, question: ChoiceQuestion) -> None:
    single = question.type == "mcq"
    ET.SubElement(element, "single").text = "true" if single else "false"
    # The bank's order is already a deterministic shuffle; a platform reshuffling
    # per attempt is fine too, but keeping ours makes an export reproducible.
    ET.SubElement(element, "shuffleanswers").text = "false"
    ET.SubElement(element, "answernumbering").text = "abc"
    _combined_feedback(element)
    share = 100 / len(question.correct_ids)
    for option in question.options:
        fraction = (100 if option.correct else 0) if single else (share if option.correct else -share)
        answer = ET.SubElement(element, "answer", fraction=weight(fraction), format="html")
        ET.SubElement(answer, "text").text = as_html(option.text)
        _text(answer, "feedback", as_html(option.why))


def cloze_escape(answer: str) -> str:
    """`answer` written inside Moodle's embedded-answer syntax so that Moodle imports exactly `answer`.

    Moodle's cloze parser (qtype_multianswer) ends an answer at an unescaped
    `~` (next answer), `#` (feedback) or `}` (end of the blank), where "escaped"
    means preceded by a backslash or `&`. It then decodes HTML character
    references and turns `\\}` into `}` and `\\#` into `#`, and nothing else:
    a backslash before any other character stays in the answer (a student
    typing "and/or" would not match `and\\/or`). So `}` and `#` take Moodle's
    backslash; `~`, which has no escape, and the backslash itself (which would
    otherwise escape what follows it) are written as character references, as
    is `&` (an answer ending in `&amp;` could not end); `<` and `>` as in any
    HTML. Everything else, `/` and `"` included, is written as it is.
    """
    return "".join(_CLOZE_ANSWER.get(character, character) for character in answer)


def _cloze_text(question: ClozeQuestion) -> str:
    def blank(number: str) -> str:
        answers = question.blanks[int(number) - 1]
        return "{1:SHORTANSWER:" + "~".join("=" + cloze_escape(answer) for answer in answers) + "}"

    # split() alternates text and the captured blank numbers: escape one, expand the other
    parts = CLOZE_BLANK.split(question.text)
    body = "".join(as_html(part) if i % 2 == 0 else blank(part) for i, part in enumerate(parts))
    return (as_html(question.stem) + "<br>" if question.stem and question.stem != question.text else "") + body
