"""GIFT and Moodle XML exports: parsed back and checked against what the importers expect."""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizzes.bank import Bank, build_bank
from quizzes.cli import export_command
from quizzes.export_common import hotspot_as_choice
from quizzes.export_gift import escape, to_gift
from quizzes.export_moodle import to_moodle_xml
from quizzes.questions import ChoiceQuestion, ClozeQuestion, HotspotQuestion, MatchingQuestion, TrueFalseQuestion
from tests.quizzes.gift_parser import parse, unescape

# Moodle's allowed grade fractions (question_bank::fraction_options_full), in percent.
MOODLE_FRACTIONS = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
                    14.28571, 12.5, 11.11111, 10, 5, 0]


def expected_gift_count(bank: Bank) -> int:
    return sum(len(q.blanks) if isinstance(q, ClozeQuestion) else 1 for q in bank.questions)


def test_gift_escaping_round_trips() -> None:
    tricky = "a {b} = c ~ d # e : f \\ g\nnew line -> arrow"
    assert unescape(escape(tricky)) == tricky.replace("->", "→")


def test_gift_parses_back_to_the_bank(real_bank: Bank) -> None:
    parsed = {q.title: q for q in parse(to_gift(real_bank))}
    assert len(parsed) == expected_gift_count(real_bank)
    modules = {m.id: m.title for m in real_bank.modules}
    for question in real_bank.questions:
        if isinstance(question, ClozeQuestion):
            names = [question.id] if len(question.blanks) == 1 else [
                f"{question.id}-blank-{n}" for n in range(1, len(question.blanks) + 1)]
            for name, accepted in zip(names, question.blanks):
                got = parsed[name]
                assert got.kind == "shortanswer" and [a for a, _, _ in got.answers] == list(accepted)
                assert "_____" in got.stem
            continue
        got = parsed[question.id]
        assert got.category.endswith(f"/{modules[question.module]}")
        assert question.explanation in got.general_feedback
        if isinstance(question, HotspotQuestion):
            question = hotspot_as_choice(question, real_bank.course)
        if isinstance(question, ChoiceQuestion):
            assert got.kind == question.type, question.id
            assert [a for a, _, _ in got.answers] == [o.text for o in question.options]
            assert [f for _, _, f in got.answers] == [o.why for o in question.options]
            weights = [w for _, w, _ in got.answers]
            if question.type == "mcq":
                assert weights.count(100.0) == 1 and weights.count(0.0) == len(weights) - 1
            else:
                assert sum(w for w in weights if w > 0) == pytest.approx(100, abs=1e-3)
                assert [w > 0 for w in weights] == [o.correct for o in question.options]
            if question.origin == "authored":
                assert got.stem == question.stem
        elif isinstance(question, TrueFalseQuestion):
            assert got.kind == "truefalse" and got.truth is question.answer and got.stem == question.stem
            assert got.general_feedback.startswith(question.reason)
        elif isinstance(question, MatchingQuestion):
            assert got.kind == "matching"
            assert got.pairs == [(p.left.replace("->", "→"), p.right.replace("->", "→")) for p in question.pairs]


def _fraction_ok(value: float) -> bool:
    return any(abs(abs(value) - allowed) < 1e-4 for allowed in MOODLE_FRACTIONS)


def test_moodle_xml_has_the_structure_the_importer_expects(real_bank: Bank) -> None:
    root = ET.fromstring(to_moodle_xml(real_bank))
    assert root.tag == "quiz"
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert len(questions) == len(real_bank)
    assert root[0].get("type") == "category" and root[0].findtext("category/text").startswith("$course$/top/")
    by_id = {q.findtext("name/text"): q for q in questions}
    assert set(by_id) == {q.id for q in real_bank.questions}
    for question in real_bank.questions:
        element = by_id[question.id]
        kind = element.get("type")
        assert element.findtext("idnumber") == question.id
        assert element.find("questiontext").get("format") == "html" and element.findtext("questiontext/text")
        assert element.findtext("generalfeedback/text")
        assert element.findtext("defaultgrade") == "1"
        answers = element.findall("answer")
        fractions = [float(a.get("fraction")) for a in answers]
        assert all(_fraction_ok(f) for f in fractions), (question.id, fractions)
        if isinstance(question, (ChoiceQuestion, HotspotQuestion)):
            assert kind == "multichoice"
            for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
                assert element.findtext(f"{tag}/text")
            assert all(a.findtext("feedback/text") for a in answers)
            choice = question
            if isinstance(question, HotspotQuestion):
                choice = hotspot_as_choice(question, real_bank.course)
            assert [html.unescape(a.findtext("text")) for a in answers] == [o.text for o in choice.options]
            assert [f > 0 for f in fractions] == [o.correct for o in choice.options]
            if question.type == "multi":
                assert element.findtext("single") == "false"
                assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=1e-3)
                assert min(fractions) < 0
            else:
                assert element.findtext("single") == "true"
                assert fractions.count(100.0) == 1 and sum(fractions) == 100.0
        elif isinstance(question, TrueFalseQuestion):
            assert kind == "truefalse"
            truth = {a.findtext("text"): float(a.get("fraction")) for a in answers}
            assert truth == {str(question.answer).lower(): 100.0, str(not question.answer).lower(): 0.0}
        elif isinstance(question, ClozeQuestion):
            assert kind == "cloze"
            text = element.findtext("questiontext/text")
            assert text.count("{1:SHORTANSWER:") == len(question.blanks) and "{{" not in text
        elif isinstance(question, MatchingQuestion):
            assert kind == "matching"
            subs = element.findall("subquestion")
            assert [(html.unescape(s.findtext("text")), s.findtext("answer/text")) for s in subs] == [
                (p.left, p.right) for p in question.pairs]


def test_hotspots_export_as_a_choice_of_site_names(real_bank: Bank) -> None:
    hotspots = [q for q in real_bank.questions if isinstance(q, HotspotQuestion)]
    assert hotspots
    names = {s.id: s.name for s in real_bank.course.sites}
    for question in hotspots:
        choice = hotspot_as_choice(question, real_bank.course)
        assert choice.type == "mcq" and choice.correct_ids == {question.region}
        assert all(o.text == names[o.id] for o in choice.options) and len(choice.options) >= 3
        if question.origin == "generated":
            assert names[question.region] not in choice.stem  # the stem must not give the answer away


def test_export_command_writes_both_formats(tmp_path: Path, real_bank: Bank) -> None:
    runner = CliRunner()
    gift, xml = tmp_path / "bank.gift", tmp_path / "bank.xml"
    result = runner.invoke(export_command, ["--format", "gift", "--out", str(gift)])
    assert result.exit_code == 0, result.output
    assert f"wrote {len(real_bank)} questions" in result.output
    assert len(parse(gift.read_text(encoding="utf-8"))) == expected_gift_count(real_bank)
    assert runner.invoke(export_command, ["--format", "moodle", "--out", str(xml)]).exit_code == 0
    assert ET.parse(xml).getroot().tag == "quiz"
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".*.tmp"))


def test_export_command_reports_bad_input_without_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    missing_dir = runner.invoke(export_command, ["--format", "gift", "--out", str(tmp_path / "no" / "x.gift")])
    assert missing_dir.exit_code == 1 and "cannot write" in missing_dir.output and "Traceback" not in missing_dir.output
    bad_content = runner.invoke(export_command, ["--format", "gift", "--out", str(tmp_path / "x.gift"),
                                                 "--content", str(tmp_path / "nothing")])
    assert bad_content.exit_code == 1 and "content folder not found" in bad_content.output
    assert not (tmp_path / "x.gift").exists()
    wrong_format = runner.invoke(export_command, ["--format", "qti", "--out", str(tmp_path / "x")])
    assert wrong_format.exit_code == 2 and "qti" in wrong_format.output


def test_export_is_deterministic(real_course) -> None:
    assert to_gift(build_bank(real_course)) == to_gift(build_bank(real_course))
    assert to_moodle_xml(build_bank(real_course)) == to_moodle_xml(build_bank(real_course))
