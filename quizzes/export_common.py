"""What the GIFT and Moodle XML exports share: feedback text, categories, hotspots as choices.

Learning platforms have no body-map question, so a hotspot question is exported
as a single-answer multiple choice whose options are the endangerment sites'
names; the correct option is the site asked for, and a seeded sample of
other sites (same body view first) are the distractors. A generated stem, which
names the site, is reworded to describe its location instead.
"""

from __future__ import annotations

from course.models import Course
from quizzes.bank import Bank
from quizzes.questions import Choice, ChoiceQuestion, HotspotQuestion, Question
from quizzes.shuffle import pick, stable_order

HOTSPOT_OPTIONS = 5


def general_feedback(question: Question, course: Course) -> str:
    """The explanation followed by the full citations of the question's sources."""
    known = {source.id: source for source in course.sources}
    citations = [known[s].citation() if s in known else s for s in question.sources]
    return question.explanation + ("\n\nSources: " + " ".join(citations) if citations else "")


def category(question: Question, course: Course) -> str:
    """The question-bank category path: course title / module title."""
    titles = {module.id: module.title for module in course.modules}
    return f"{course.title}/{titles.get(question.module, question.module)}"


def hotspot_as_choice(question: HotspotQuestion, course: Course) -> ChoiceQuestion:
    """A hotspot question as a multiple choice of site names (see the module docstring)."""
    sites = {site.id: site for site in course.sites}
    target = sites[question.region]
    others = [sites[r] for r in question.regions if r != question.region and r in sites]
    wrong = pick(question.id, others, HOTSPOT_OPTIONS - 1, key=lambda s: s.id,
                 tier=lambda s: 0 if s.view == target.view else 1)
    options = [Choice(target.id, target.name, True, f"Yes: {target.location}.")]
    options += [Choice(s.id, s.name, False, f"No: that site is {s.location}.") for s in wrong]
    # A generated stem names the site it asks for; as a choice of names it must
    # describe the place instead. An authored stem asks "where", which still reads.
    stem = f"Which endangerment site is {target.location}?" if question.origin == "generated" else question.stem
    fields = {name: getattr(question, name) for name in (
        "id", "module", "lesson", "explanation", "sources", "mblex", "difficulty", "safety_critical", "tags",
        "origin", "updated")}
    return ChoiceQuestion(
        type="mcq",
        stem=stem,
        options=tuple(stable_order(question.id, options, key=lambda o: o.id)),
        **fields,
    )


def exportable(bank: Bank) -> list[Question]:
    """The bank's questions with hotspots replaced by their multiple-choice form."""
    return [hotspot_as_choice(q, bank.course) if isinstance(q, HotspotQuestion) else q for q in bank.questions]
