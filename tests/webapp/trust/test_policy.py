"""The access policy, route by route: who gets what, for every rule in `app.url_map`.

Four kinds of visitor: anonymous, a student of the class, the class's own
instructor, and another instructor. Each (endpoint, method) of the app must have
a row here: a new route without one fails `test_every_route_has_a_policy_row`,
so nobody adds a page without deciding who may see it. Paths are filled with
the world's ids (tests/webapp/trust/helpers.py). POSTs are sent empty, in the
order below, by a visitor of their own over a world of their own.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.webapp.helpers import SQLITE_ONLY
from tests.webapp.trust.helpers import ROLES, build_world, client_for, fill, stub_builder
from webapp.platform.db import get_session
from webapp.platform.models import Assignment, Enrollment, PasswordReset, QuestionReport

# (endpoint, method): status for (anonymous, student, own instructor, other instructor).
# 302 for anonymous on a private page is the redirect to /login; 404 where a
# page exists but is not yours (its existence is not confirmed either).
GET_POLICY: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("static", "GET"): (200, 200, 200, 200),
    ("home.index", "GET"): (200, 200, 200, 200),
    ("health.healthz", "GET"): (200, 200, 200, 200),
    ("lessons.index", "GET"): (200, 200, 200, 200),
    ("lessons.show", "GET"): (200, 200, 200, 200),
    ("downloads.index", "GET"): (200, 200, 200, 200),
    ("downloads.download", "GET"): (200, 200, 200, 200),
    ("downloads.class_download", "GET"): (404, 200, 200, 404),
    ("auth.signup", "GET"): (200, 302, 302, 302),
    ("auth.login", "GET"): (200, 302, 302, 302),
    ("classes.join", "GET"): (302, 200, 200, 200),
    ("progress.index", "GET"): (302, 200, 200, 200),
    ("study.index", "GET"): (302, 200, 200, 200),
    ("study.show_answer", "GET"): (302, 200, 404, 404),
    ("instructor.index", "GET"): (302, 403, 200, 200),
    ("instructor.overview", "GET"): (302, 403, 200, 404),
    ("instructor.items", "GET"): (302, 403, 200, 404),
    ("instructor.settings", "GET"): (302, 403, 200, 404),
    ("instructor.student", "GET"): (302, 403, 200, 404),
    ("instructor.export_items", "GET"): (302, 403, 200, 404),
    ("instructor.export_progress", "GET"): (302, 403, 200, 404),
    ("instructor.export_unsafe", "GET"): (302, 403, 200, 404),
    ("instructor.forecast_page", "GET"): (302, 403, 200, 404),
    ("instructor.item", "GET"): (302, 403, 200, 404),
    ("instructor.unsafe", "GET"): (302, 403, 200, 404),
    ("health.ping", "GET"): (200, 200, 200, 200),
    # The account pages are everyone's own; a reset link is its own credential (it names no one in the path).
    ("account.index", "GET"): (302, 200, 200, 200),
    ("account.export", "GET"): (302, 200, 200, 200),
    ("account.reset", "GET"): (200, 200, 200, 200),
    ("classes.leave", "GET"): (302, 200, 404, 404),  # only a member of the class
    # The student's own exam, import and records: anyone else's id is a 404. The exam is not begun yet,
    # so its question, review and result pages send its owner back to its first page.
    ("exams.index", "GET"): (302, 200, 200, 200),
    ("exams.show", "GET"): (302, 200, 404, 404),
    ("exams.question", "GET"): (302, 302, 404, 404),
    ("exams.review", "GET"): (302, 302, 404, 404),
    ("exams.result", "GET"): (302, 302, 404, 404),
    ("ankisync.job", "GET"): (302, 200, 404, 404),
    ("ankisync.status", "GET"): (302, 200, 404, 404),
    ("reports.report", "GET"): (302, 200, 200, 200),
    ("reports.mine", "GET"): (302, 200, 200, 200),
    ("study.practice", "GET"): (302, 200, 200, 200),
    ("study.resume", "GET"): (302, 302, 302, 302),  # nothing kept: on to the next question
    ("assignments.index", "GET"): (302, 403, 200, 404),
    ("assignments.detail", "GET"): (302, 403, 200, 404),
    ("assignments.export", "GET"): (302, 403, 200, 404),
    ("reports.class_reports", "GET"): (302, 403, 200, 404),
    ("downloads.addon", "GET"): (200, 200, 200, 200),
    # The add-on's API reads only a personal token, never the session cookie: everyone here is a stranger to it.
    ("ankisync_api.status", "GET"): (401, 401, 401, 401),
    ("ankisync_api.changes", "GET"): (401, 401, 401, 401),
    # Pages reached by email: the link's token is its own credential (the world's token is an instructor's
    # reset link, which opens none of them); the choices page is everyone's own.
    ("auth.check_email", "GET"): (200, 200, 200, 200),
    ("auth.forgot", "GET"): (200, 200, 200, 200),
    ("auth.verify", "GET"): (404, 404, 404, 404),
    ("auth.recover", "GET"): (404, 404, 404, 404),
    ("account.confirm_email", "GET"): (404, 404, 404, 404),
    ("reminders.settings", "GET"): (302, 200, 200, 200),
    ("reminders.unsubscribe_page", "GET"): (404, 404, 404, 404),
}
# Sent empty (no fields): 400 is "the form has errors", 302 a redirect (to
# /login for anonymous, or back to a page with a message).
POST_POLICY: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("instructor.create", "POST"): (302, 403, 400, 400),
    ("instructor.settings", "POST"): (302, 403, 400, 404),
    ("instructor.regenerate_code", "POST"): (302, 403, 302, 404),
    ("instructor.toggle_archive", "POST"): (302, 403, 302, 404),
    ("classes.join", "POST"): (302, 400, 400, 400),
    ("study.answer", "POST"): (302, 302, 302, 302),
    ("study.rate", "POST"): (302, 302, 404, 404),
    ("auth.signup", "POST"): (400, 302, 302, 302),
    ("auth.login", "POST"): (400, 302, 302, 302),
    ("instructor.restore_code", "POST"): (302, 403, 302, 404),
    ("account.change_password", "POST"): (302, 400, 400, 400),
    ("account.delete", "POST"): (302, 400, 400, 400),
    ("account.reset", "POST"): (400, 400, 400, 400),
    ("zones.set_timezone", "POST"): (302, 400, 400, 400),
    ("ankisync.upload", "POST"): (302, 302, 302, 302),  # back to /progress with the form's error
    ("reports.report", "POST"): (302, 400, 400, 400),
    ("reports.resolve", "POST"): (302, 403, 302, 404),  # the form's error flashed on the reports page
    ("assignments.create", "POST"): (302, 403, 400, 404),
    ("exams.create", "POST"): (302, 400, 400, 400),
    # The student's exam: begun, an empty answer kept, finished. Nobody else's exam is found.
    ("exams.begin", "POST"): (302, 302, 404, 404),
    ("exams.save", "POST"): (302, 302, 404, 404),
    ("exams.finish", "POST"): (302, 302, 404, 404),
    ("exams.retake", "POST"): (302, 302, 404, 404),  # the student's own exam only
    ("exams.create_assigned", "POST"): (302, 302, 404, 404),  # only for a student of the class
    ("assignments.delete", "POST"): (302, 403, 302, 404),
    ("study.practice_answer", "POST"): (302, 302, 302, 302),  # no presentation: a fresh practice question
    ("instructor.reset_link", "POST"): (302, 403, 200, 404),  # the one-time link, shown once
    ("instructor.remove_student", "POST"): (302, 403, 302, 404),
    ("instructor.readd_student", "POST"): (302, 403, 302, 404),
    ("classes.leave", "POST"): (302, 302, 404, 404),
    # Anyone's undo is refused the same way (302 back with a message), so it confirms no one's answer.
    ("study.undo", "POST"): (302, 302, 302, 302),
    ("account.new_token", "POST"): (302, 200, 403, 403),  # shown once; a token syncs a learner's own study, not an instructor's
    ("account.revoke", "POST"): (302, 302, 302, 302),  # back to the account page; nobody else's token is touched
    ("ankisync_api.notes", "POST"): (401, 401, 401, 401),
    ("ankisync_api.reviews", "POST"): (401, 401, 401, 401),
    ("account.change_email", "POST"): (302, 400, 400, 400),
    ("account.confirm_email", "POST"): (404, 404, 404, 404),
    ("auth.forgot", "POST"): (400, 400, 400, 400),
    ("auth.verify", "POST"): (404, 404, 404, 404),
    ("auth.recover", "POST"): (404, 404, 404, 404),
    ("reminders.settings", "POST"): (302, 302, 302, 302),  # nothing sent: reminders stay off
    ("reminders.unsubscribe_page", "POST"): (404, 404, 404, 404),
    ("auth.logout", "POST"): (302, 302, 302, 302),  # last: it ends the visitor's session
}
POLICY = {**GET_POLICY, **POST_POLICY}


@pytest.fixture
def app_config(app_config: dict[str, Any], tmp_path: Any) -> dict[str, Any]:
    """Decks downloadable (with a stub builder), so their routes answer as in production."""
    return dict(app_config, DECK_BUILDER=stub_builder, DECK_CACHE_DIR=str(tmp_path / "decks"),
                ADDON_BUILDER=lambda: b"PK\x05\x06" + bytes(18))


def _routes(app: Flask) -> dict[tuple[str, str], str]:
    return {
        (rule.endpoint, method): rule.rule
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }


@SQLITE_ONLY  # the URL map against the table: no database
def test_every_route_has_a_policy_row(app: Flask) -> None:
    routes = _routes(app)
    missing = sorted(set(routes) - set(POLICY))
    assert not missing, f"routes with no access rule in the policy table: {missing}"
    stale = sorted(set(POLICY) - set(routes))
    assert not stale, f"policy rows for routes that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_each_visitor_gets_what_the_policy_says(app: Flask, role: str) -> None:
    world = build_world(app)
    client = client_for(app, role)
    routes = _routes(app)
    column = ROLES.index(role)
    wrong = []
    for key, statuses in POLICY.items():
        method = key[1]
        response = client.open(fill(routes[key], world), method=method)
        response.close()
        if response.status_code != statuses[column]:
            wrong.append(f"{method} {routes[key]}: {response.status_code}, expected {statuses[column]}")
        elif role == "anonymous" and response.status_code == 302 and "/login" not in response.location:
            wrong.append(f"{method} {routes[key]}: to {response.location}, expected the log-in page")
        assert response.status_code < 500
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_another_class_s_records_under_your_own_class_are_not_found(app: Flask) -> None:
    """Otto, in his own class's pages, names Olive's student, assignment or report: 404, nothing done.

    The table above checks a class that is not yours; this checks the second id
    of a path, which must belong to the class in the first. Removing or adding
    back someone not on the roster does nothing and says so (a redirect to the
    roster, the same for every id), so it confirms no one either.
    """
    world = build_world(app)
    roster_actions = {"instructor.remove_student", "instructor.readd_student"}
    world.extra["class_id"] = world.other_class_id
    client = client_for(app, "other")
    checked = []
    for (endpoint, method), rule in sorted(_routes(app).items()):
        if "<int:class_id>" not in rule or not any(
                f"<int:{name}>" in rule for name in ("user_id", "assignment_id", "report_id")):
            continue
        response = client.open(fill(rule, world), method=method)
        response.close()
        expected = 302 if endpoint in roster_actions else 404
        assert response.status_code == expected, f"{method} {rule}: {response.status_code}"
        checked.append(endpoint)
    assert len(checked) >= 7, checked
    with app.app_context():
        session = get_session()
        assert session.scalar(select(Enrollment.id).where(Enrollment.class_id == world.class_id,
                                                          Enrollment.user_id == world.student_id)) is not None
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 1
        assert session.get(Assignment, world.assignment_id) is not None
        report = session.get(QuestionReport, world.report_id)
        assert report is not None and report.status == "open"
        assert session.scalar(select(func.count()).select_from(PasswordReset)) == 1  # Olive's link only
