"""The loader: a valid course loads whole; a broken one reports every problem, located."""

from __future__ import annotations

from pathlib import Path

import pytest

from course import CourseError, check_course, load_course

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid"
BROKEN = FIXTURES / "broken"
B = f"{BROKEN}/mod"

# One deliberately broken file per rule, each with the exact message it must give.
EXPECTED = [
    f"{B}/01-bad-yaml.yaml:6: invalid YAML: did not find expected ',' or ']'",
    f"{B}/02-missing-field.yaml:4: questions[0].stem: required field is missing",
    f"{B}/03-wrong-type.yaml:13: questions[0].difficulty: must be a whole number (got 'hard')",
    f"{B}/04-duplicate-id.yaml:16: questions[1].id: duplicate question id 'pick-one' (first defined in {B}/04-duplicate-id.yaml:4)",
    f"{B}/05-unknown-source.yaml:13: questions[0].sources[1]: unknown source 'no-such-paper'",
    f"{B}/06-no-correct.yaml:8: questions[0].options: needs exactly one correct option, has 0",
    f"{B}/07-empty-stem.yaml:6: questions[0].stem: must not be empty",
    f"{B}/08-unknown-module.yaml:2: module: unknown module 'no-such-module'",
    f"{B}/09-unknown-kind.yaml:1: kind: unknown file kind 'quiz' (expected one of: course, sources, module, facts, questions, topics, objectives, reviews)",
    f"{B}/10-bad-slug.yaml:4: questions[0].id: must be a slug: lowercase letters, digits and single hyphens (got 'Bad Id')",
    f"{B}/11-unknown-lesson.yaml:11: questions[0].lesson: unknown lesson 'no-such-lesson'",
    f"{B}/12-cloze-mismatch.yaml:4: questions[0]: text has blanks [1, 3] but 2 answer list(s); write {{{{1}}}}..{{{{2}}}} once each",
    f"{B}/13-unknown-field.yaml:7: questions[0].explaination: unknown field (check the spelling)",
    f"{B}/14-duplicate-key.yaml:7: questions[0].stem: duplicate key",
    f"{B}/15-unknown-question-type.yaml:5: questions[0].type: unknown question type 'essay' (expected one of: mcq, multi, truefalse, cloze, matching, hotspot)",
    f"{B}/16-unknown-region.yaml:7: questions[0].region: unknown body-map region 'the-moon' (must be an endangerment-site id)",
    f"{B}/17-multi-all-correct.yaml:8: questions[0].options: has no incorrect option",
    f"{B}/18-uncited-section.md:8: section: section 'Introduction' cites no source (add [@source-id])",
    f"{B}/18-uncited-section.md:13: section: section 'Another section' cites no source (add [@source-id])",
    f"{B}/19-lesson-unknown-source.md:8: section: unknown source 'ghost-paper' in section 'Only section'",
    f"{B}/20-no-front-matter.md:1: a lesson must start with '---' and YAML front matter",
    f"{B}/21-lesson-missing-order.md:2: order: required field is missing",
    f"{B}/22-unknown-topic.yaml:14: questions[0].tags[1]: unknown topic 'no-such-topic' (declare it in a 'kind: topics' file or use a declared one)",
    f"{B}/22-unknown-topic.yaml:15: questions[0].variant_of: unknown question 'no-such-question'",
    f"{B}/22-unknown-topic.yaml:16: questions[0].distinct_from[0]: a question cannot be distinct from itself",
    f"{BROKEN}/topics.yaml:3: topics[0].id: topic 'lonely' tags 1 question(s); a topic needs at least 2 (merge or cut it)",
    f"{BROKEN}/topics.yaml:4: topics[1].id: topic 'unused' tags 0 question(s); a topic needs at least 2 (merge or cut it)",
]


def broken_messages() -> list[str]:
    _, problems = check_course(BROKEN)
    return [str(problem) for problem in problems]


@pytest.mark.parametrize("expected", EXPECTED, ids=lambda line: line.split("/")[-1].split(":")[0])
def test_each_broken_file_gives_its_exact_message(expected: str) -> None:
    assert expected in broken_messages()


def test_broken_course_reports_exactly_the_expected_problems_in_order() -> None:
    assert broken_messages() == EXPECTED


def test_broken_course_never_loads_partially() -> None:
    course, problems = check_course(BROKEN)
    assert course is None
    with pytest.raises(CourseError) as raised:
        load_course(BROKEN)
    assert raised.value.problems == problems
    assert str(raised.value).splitlines()[-1] == f"{len(EXPECTED)} problems found"


def test_valid_course_loads_whole() -> None:
    course = load_course(VALID)
    assert [m.id for m in course.modules] == ["mod"]
    assert [q.id for q in course.questions] == ["pick-one", "find-the-elbow"]
    assert course.question_modules == {"pick-one": "mod", "find-the-elbow": "mod"}
    lesson = course.lesson("first-lesson")
    assert [s.heading for s in lesson.sections] == ["Introduction", "The point"]
    assert all(s.sources == ["paper-a"] for s in lesson.sections)
    assert course.sites[0].structures[0].kind.value == "nerve"


def test_missing_folder_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    course, problems = check_course(tmp_path / "absent")
    assert course is None
    assert [p.message for p in problems] == ["content folder not found"]


def test_course_file_is_required(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text((VALID / "sources.yaml").read_text())
    _, problems = check_course(tmp_path)
    assert [str(p) for p in problems] == [f"{tmp_path}:1: expected exactly one 'kind: course' file, found none"]


def test_undecodable_file_is_reported(tmp_path: Path) -> None:
    for path in VALID.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(VALID)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (tmp_path / "mod" / "latin1.yaml").write_bytes("kind: questions\nmodule: caf\xe9\n".encode("latin-1"))
    _, problems = check_course(tmp_path)
    assert [str(p) for p in problems] == [f"{tmp_path}/mod/latin1.yaml:1: file is not valid UTF-8"]
