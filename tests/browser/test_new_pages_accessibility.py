"""axe-core and screenshots of the practice-exam, assignment and report pages, 375/1280 px, light and dark.

One test per page and width, the page loaded once and looked at in both schemes (axe
at both widths in light, on the desktop in dark; no page scrolls sideways); the
learner's reports and exams are made once for the module.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from course import Course
from quizzes.bank import build_bank
from tests.browser.helpers import (
    DESKTOP,
    TOUR_AXE,
    answer_by_mouse,
    cookies_of,
    join_class,
    look,
    make_class,
    signup,
    tour,
    tour_page,
    visit,
)
from webapp.platform.db import make_engine
from webapp.platform.models import Assignment, SchoolClass

pytestmark = pytest.mark.browser


def add_assignments(database_url: str) -> int:
    engine = make_engine(database_url)
    with sessionmaker(engine)() as session:
        class_id = session.scalar(select(SchoolClass.id))
        assert class_id is not None
        soon = dt.date.today() + dt.timedelta(days=3)
        session.add_all([
            Assignment(class_id=class_id, title="Neck red flags", kind="study", modules=["neck-safety"], lessons=[],
                       recall_target=0.9, safety_only=True, due_on=soon),
            Assignment(class_id=class_id, title="Mock MBLEx", kind="exam", modules=[], lessons=[], exam_length=20,
                       time_limit_min=25, min_score=0.7, due_on=soon + dt.timedelta(days=7)),
            Assignment(class_id=class_id, title="Overdue reading", kind="study", modules=[],
                       lessons=["what-endangerment-sites-are"], due_on=dt.date.today() - dt.timedelta(days=2)),
        ])
        session.commit()
    engine.dispose()
    return class_id


def exam_id_of(page: Any) -> str:
    return str(page.url.rstrip("/").split("/exams/")[1].split("/")[0])


STUDENT_PAGES = ("exams-index", "exam-readiness", "exam-question", "exam-review", "exam-result", "report-sent",
                 "report-form", "reports-mine", "home-assignments", "study-banner")
TEACHER_PAGES = ("assignments", "assignment-detail", "class-reports")


@pytest.fixture(scope="module")
def pages(browser: Any, module_live_server: str, module_database_url: str, course: Course) -> dict[str, Any]:
    """A learner with a report sent and three timed exams (finished, running, waiting), made once for the module.

    Returns both sides' cookies and the path of every page in the tour.
    """
    code = make_class(module_database_url)
    class_id = add_assignments(module_database_url)
    bank = build_bank(course)
    item = bank.questions[0].id
    base = module_live_server

    setup = browser.new_context(viewport=DESKTOP)
    page = setup.new_page()
    signup(page, base, email="pages@example.com")
    join_class(page, base, code)
    page.goto(f"{base}/report/{item}")
    page.get_by_label("There is a typo").check()
    page.get_by_label("Tell us more (optional)").fill("“sciatic” is misspelt in option 2.")
    page.get_by_role("button", name="Send report").click()
    # A finished exam (three answers, the rest left blank) and one in progress, both timed.
    exams = []
    for _ in range(3):
        page.goto(f"{base}/exams/")
        page.get_by_label("Time limit in minutes (optional)").fill("25")
        page.get_by_role("button", name="See my readiness").click()
        page.wait_for_load_state()
        exams.append(exam_id_of(page))
    finished, running, waiting = exams
    page.goto(f"{base}/exams/{finished}")
    page.get_by_role("button", name="Begin the exam").click()
    for _ in range(3):
        answer_by_mouse(page, submit="Save and next")
    page.get_by_label("Flag this question to review later").check()
    page.get_by_role("button", name="Review all answers").click()
    page.get_by_role("button", name="Finish and see my score").click()
    page.goto(f"{base}/exams/{running}")
    page.get_by_role("button", name="Begin the exam").click()
    page.wait_for_load_state()
    student = setup.cookies()
    setup.close()

    paths = {
        "assignments": f"/instructor/classes/{class_id}/assignments",
        "assignment-detail": f"/instructor/classes/{class_id}/assignments/1",
        "class-reports": f"/instructor/classes/{class_id}/reports",
        "exams-index": "/exams/",
        "exam-readiness": f"/exams/{waiting}",
        "exam-question": f"/exams/{running}/q/2",
        "exam-review": f"/exams/{running}/review",
        "exam-result": f"/exams/{finished}/result",
        "report-sent": f"/report/{item}",
        "report-form": f"/report/{bank.questions[1].id}",
        "reports-mine": "/report/mine",
        "home-assignments": "/",
        "study-banner": "/study/",
    }
    teacher = cookies_of(browser, base, "teacher@example.com", "x" * 12)  # tests.browser.helpers.make_class's instructor
    return {"student": student, "teacher": teacher, "paths": paths}


@tour(STUDENT_PAGES + TEACHER_PAGES)
def test_new_pages_pass_axe(browser: Any, module_live_server: str, pages: dict[str, Any], artifacts: Path,
                            name: str, viewport: str) -> None:
    with tour_page(browser, viewport, pages["teacher" if name in TEACHER_PAGES else "student"]) as page:
        visit(page, module_live_server + pages["paths"][name])
        look(page, artifacts, f"{name}-{viewport}", axe=TOUR_AXE[viewport])
