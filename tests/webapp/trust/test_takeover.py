"""An instructor cannot take over a student's account through a kept cookie or an old reset link (issue 27, no. 1).

The attack: the instructor removes a student and keeps the session cookie that
held "undo remove"; the student leaves the class; the replayed cookie added them
back, and a reset link then opened their account. A link made before the student
left also still worked. Now the undo is a row on the server, spent once and void
when the student leaves or rejoins, and leaving or removal revokes the links.
"""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from tests.webapp.trust.helpers import EMAILS, PASSWORD, World, build_world, client_for
from webapp.platform.db import get_session
from webapp.platform.models import Enrollment, SchoolClass


def _enrolled(app: Flask, world: World) -> bool:
    with app.app_context():
        return get_session().scalar(select(Enrollment.id).where(
            Enrollment.class_id == world.class_id, Enrollment.user_id == world.student_id)) is not None


def _code(app: Flask, world: World) -> str:
    with app.app_context():
        return str(get_session().scalar(select(SchoolClass.join_code).where(SchoolClass.id == world.class_id)))


def _kept(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str, path: str) -> None:
    attacker = app.test_client()
    attacker.set_cookie("session", cookie)
    assert attacker.post(path).status_code == 302


def _link_opens(app: Flask, token: str) -> bool:
    return app.test_client().get(f"/account/reset/{token}").status_code == 200


def _reset_link(olive: FlaskClient, world: World) -> int:
    return olive.post(f"/instructor/classes/{world.class_id}/students/{world.student_id}/reset-link").status_code


def test_every_kept_cookie_replayed_after_the_student_left_adds_nothing_back(app: Flask) -> None:
    world = build_world(app)
    olive, sam = client_for(app, "own"), client_for(app, "student")
    base = f"/instructor/classes/{world.class_id}"
    kept = [_kept(olive)]
    for action in ("/code", f"/students/{world.student_id}/remove", f"/students/{world.student_id}/readd",
                   "/code", "/code/restore", f"/students/{world.student_id}/remove"):
        assert olive.post(base + action).status_code == 302
        olive.get(base + "/settings")
        kept.append(_kept(olive))
    assert not _enrolled(app, world)
    # Sam joins again with the class's code, then leaves: the student's own decisions.
    assert sam.post("/join", data={"join_code": _code(app, world)}).status_code == 302
    assert _enrolled(app, world)
    assert sam.post(f"/classes/{world.class_id}/leave").status_code == 302
    code_now = _code(app, world)
    for cookie in kept:
        _replay(app, cookie, f"{base}/students/{world.student_id}/readd")
        _replay(app, cookie, f"{base}/code/restore")
    assert not _enrolled(app, world), "a kept cookie put the student back into the class"
    assert _code(app, world) == code_now
    assert _reset_link(olive, world) == 404  # not her student: no link to make
    assert not _link_opens(app, world.token)


def test_the_issue_sequence_remove_readd_leave_replay(app: Flask) -> None:
    """Remove, keep the cookie, add back, the student leaves, replay the kept cookie: 2 of 2 takeovers before."""
    world = build_world(app)
    olive, sam = client_for(app, "own"), client_for(app, "student")
    base = f"/instructor/classes/{world.class_id}/students/{world.student_id}"
    assert olive.post(base + "/remove").status_code == 302
    kept = _kept(olive)
    assert olive.post(base + "/readd").status_code == 302 and _enrolled(app, world)  # the honest undo works once
    assert sam.post(f"/classes/{world.class_id}/leave").status_code == 302
    _replay(app, kept, base + "/readd")
    assert not _enrolled(app, world)
    assert _reset_link(olive, world) == 404


def test_leaving_revokes_a_reset_link_made_before(app: Flask) -> None:
    world = build_world(app)
    assert _link_opens(app, world.token)
    sam = client_for(app, "student")
    assert sam.post(f"/classes/{world.class_id}/leave").status_code == 302
    assert not _link_opens(app, world.token)
    # Joining again does not bring the old link back.
    assert sam.post("/join", data={"join_code": _code(app, world)}).status_code == 302
    assert not _link_opens(app, world.token)


def test_removal_revokes_a_reset_link_made_before(app: Flask) -> None:
    world = build_world(app)
    olive = client_for(app, "own")
    assert olive.post(f"/instructor/classes/{world.class_id}/students/{world.student_id}/remove").status_code == 302
    assert not _link_opens(app, world.token)
    response = app.test_client().post(f"/account/reset/{world.token}",
                                      data={"new_password": "a takeover passphrase", "confirm": "a takeover passphrase"})
    assert response.status_code == 404
    assert client_for(app, "student").get("/account/").status_code == 200  # the old password still logs in


def test_a_link_works_only_while_its_issuer_teaches_the_student(app: Flask) -> None:
    """However the enrolment ended (here straight in the database), the link is dead with it."""
    world = build_world(app)
    with app.app_context():
        session = get_session()
        session.execute(delete(Enrollment).where(Enrollment.user_id == world.student_id))
        session.commit()
    assert not _link_opens(app, world.token)
    login = app.test_client().post("/login", data={"email": EMAILS["student"], "password": PASSWORD})
    assert login.status_code == 302


def test_rejoining_voids_the_undo_of_a_removal(app: Flask) -> None:
    world = build_world(app)
    olive, sam = client_for(app, "own"), client_for(app, "student")
    base = f"/instructor/classes/{world.class_id}/students/{world.student_id}"
    assert olive.post(base + "/remove").status_code == 302
    assert sam.post("/join", data={"join_code": _code(app, world)}).status_code == 302
    assert sam.post(f"/classes/{world.class_id}/leave").status_code == 302
    assert olive.post(base + "/readd").status_code == 302  # the same instructor, the same session: still nothing
    assert not _enrolled(app, world)


def test_undo_lasts_only_minutes(app: Flask) -> None:
    app.config["ROSTER_UNDO_MINUTES"] = 0
    world = build_world(app)
    olive = client_for(app, "own")
    base = f"/instructor/classes/{world.class_id}/students/{world.student_id}"
    assert olive.post(base + "/remove").status_code == 302
    assert b"Undo: add" not in olive.get(f"/instructor/classes/{world.class_id}/settings").data
    assert olive.post(base + "/readd").status_code == 302
    assert not _enrolled(app, world)
