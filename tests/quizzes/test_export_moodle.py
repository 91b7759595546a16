"""Moodle XML cloze answers, read back the way Moodle's cloze importer reads them.

`read_blanks` restates, in Python, what Moodle's qtype_multianswer parser does
with a question text (qtype_multianswer_extract_question, Moodle 4.x): find
each `{n:SHORTANSWER:...}`, split it into alternatives at `~`, take an answer
up to an unescaped `#`, `~` or `}` (escaped: preceded by `\\`, `&` or `&amp;`),
decode HTML character references, then undo `\\}` and `\\#`, and nothing else.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import pytest

from course.models import Course
from quizzes.bank import Bank
from quizzes.export_gift import to_gift
from quizzes.export_moodle import cloze_escape, to_moodle_xml
from quizzes.questions import ClozeQuestion

_FRACTION = r"=|%-?[0-9]+(?:[.,][0-9]*)?%"
_ANSWER = r".+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)"
_FEEDBACK = r".*?(?<!\\)(?=[~}]|$)"
_ALTERNATIVE = f"({_FRACTION})?({_ANSWER})(#({_FEEDBACK}))?"
_BLANK = re.compile(r"\{([0-9]*):(SHORTANSWER|SA|MW):(" + _ALTERNATIVE + "(?:~" + _ALTERNATIVE + r")*)\}", re.S)
_NEXT = re.compile("~?" + _ALTERNATIVE, re.S)


def read_blanks(question_text: str) -> list[list[str]]:
    """The accepted answers of each blank, as Moodle stores them after import."""
    blanks = []
    while match := _BLANK.search(question_text):
        answers, rest = [], match.group(3)
        while rest and (alternative := _NEXT.match(rest)):
            answer = html.unescape(alternative.group(2)).replace("\\}", "}").replace("\\#", "#")
            answers.append(answer)
            rest = rest[alternative.end():]
        blanks.append(answers)
        question_text = question_text[:match.start()] + "{#}" + question_text[match.end():]
    return blanks


SPECIAL = ["}", "#", "~", "/", '"', "\\", "&", "<", ">", "=", "%", ":", "{", ";", "'", "|"]


def _cloze(course: Course, blanks: tuple[tuple[str, ...], ...]) -> Bank:
    question = ClozeQuestion(
        id="tricky-cloze", type="cloze", module=course.modules[0].id, lesson=course.lessons[0].id,
        stem="Fill in.", text=" and ".join(f"{{{{{n}}}}}" for n in range(1, len(blanks) + 1)) + ".",
        blanks=blanks, explanation="Because.", sources=(), mblex="pathology-contraindications", difficulty=1,
        safety_critical=False)
    return Bank(course=course, questions=(question,))


def _imported(bank: Bank) -> list[list[str]]:
    root = ET.fromstring(to_moodle_xml(bank))
    (question,) = [q for q in root.findall("question") if q.get("type") == "cloze"]
    return read_blanks(question.findtext("questiontext/text") or "")


@pytest.mark.parametrize("character", SPECIAL)
def test_each_special_character_imports_as_itself(real_course: Course, character: str) -> None:
    # inside, at the end (right before the separator or the closing brace) and at the start
    blanks = ((f"a{character}b", f"ab{character}"), (f"{character}ab",))
    assert _imported(_cloze(real_course, blanks)) == [list(answer) for answer in blanks]


def test_answers_made_of_special_characters_and_escapes_import_as_themselves(real_course: Course) -> None:
    blanks = (("and/or", 'the "funny bone"', "C5~C6", "R&D", "x\\}", "\\#", "&amp;", "&lt;b&gt;", "100%"),
              ("}}#~\\",), ("a\\", "\\"))
    assert _imported(_cloze(real_course, blanks)) == [list(answer) for answer in blanks]


def test_only_what_moodle_unescapes_is_backslashed() -> None:
    assert cloze_escape("and/or") == "and/or" and cloze_escape('say "no"') == 'say "no"'
    assert cloze_escape("a}b#c") == "a\\}b\\#c"
    assert "\\" not in cloze_escape("C5~C6 \\ x")


def test_the_real_cloze_answers_import_as_written(real_bank: Bank) -> None:
    root = ET.fromstring(to_moodle_xml(real_bank))
    imported = {q.findtext("name/text"): read_blanks(q.findtext("questiontext/text") or "")
                for q in root.findall("question") if q.get("type") == "cloze"}
    expected = {q.id: [list(answers) for answers in q.blanks] for q in real_bank.questions
                if isinstance(q, ClozeQuestion)}
    assert imported == expected


def test_every_question_carries_its_id_number(real_bank: Bank) -> None:
    root = ET.fromstring(to_moodle_xml(real_bank))
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.findtext("idnumber") for q in questions] == [q.findtext("name/text") for q in questions]
    # GIFT: Moodle reads `[id:…]` in the comment before a question as its ID number
    gift = to_gift(real_bank)
    names = re.findall(r"^::((?:\\.|[^:\\])*)::", gift, re.M)
    ids = re.findall(r"^// \[id:([^\]]+)\]", gift, re.M)
    assert ids == [name.replace("\\", "") for name in names] and len(set(ids)) == len(ids)


def test_the_docs_do_not_promise_that_a_reimport_updates() -> None:
    import quizzes.export_gift as gift
    import quizzes.export_moodle as moodle

    for module in (gift, moodle):
        doc = " ".join((module.__doc__ or "").split())
        assert "updates rather than duplicates" not in doc
        assert "always adds" in doc
