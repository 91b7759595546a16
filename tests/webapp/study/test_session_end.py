"""Sessions that end honestly, answers kept across an expired session, extra practice, locate forms."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from quizzes.bodymap import locate_spots, region_label
from quizzes.grading import grade
from quizzes.questions import HotspotQuestion
from tests.webapp.helpers import answer_fields, make_class, signup, token_of, user_id
from webapp.platform.db import get_session
from webapp.platform.models import Review
from webapp.questions import tokens as presentations
from webapp.study.ending import SOON, ending

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def _reviews(app: Flask) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(Review)))


def _card(due: dt.datetime, state: int) -> dict[str, object]:
    return {"due": due.isoformat(), "state": state}


def test_ending_counts_learning_due_soon_and_the_cap() -> None:
    cards = {"a": _card(NOW + dt.timedelta(minutes=8), 1), "b": _card(NOW + SOON + dt.timedelta(minutes=1), 1),
             "c": _card(NOW + dt.timedelta(minutes=5), 2), "x": _card(NOW, 1)}
    end = ending(cards, frozenset({"a", "b", "c", "d"}), NOW, new_seen_today=5, new_per_day=5)
    assert (end.learning_soon, end.soon_at, end.cap_reached, end.unseen) == (1, NOW + dt.timedelta(minutes=8), True, 1)
    assert end.next_due == NOW + dt.timedelta(minutes=5)
    done = ending(cards, frozenset({"c"}), NOW, new_seen_today=0, new_per_day=5)
    assert not done.waiting and not done.cap_reached


def _hotspot(app: Flask) -> HotspotQuestion:
    return next(q for q in app.extensions["bank"].questions if isinstance(q, HotspotQuestion) and q.id.startswith("site-map"))


def test_locate_question_offers_neutral_regions_only(app: Flask, student: FlaskClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from quizzes.planner import Counts, Plan
    from webapp.study import plan as learner

    for question in [q for q in app.extensions["bank"].questions if isinstance(q, HotspotQuestion)]:
        monkeypatch.setattr(learner, "plan_from", lambda *a, q=question, **k: Plan(q, Counts(1, 0, 0)))
        html = student.get("/study/").get_data(as_text=True)
        form = html[html.index('<div class="locate"'):html.index("</fieldset>")]
        plain, _, anatomical = region_label(question.region).partition(" (")
        for name in {plain, anatomical.rstrip(")"), question.region} - {""}:
            assert name.lower() not in form.lower(), (question.id, name)
        assert f"Region 1 of {len(question.regions)}, front" in form
        assert "<title>" not in form and 'id="region-' in form and form.count('id="region-1"') == 1


def test_locate_answer_by_region_number(app: Flask, student: FlaskClient) -> None:
    question = _hotspot(app)
    token = presentations.issue(app.config["SECRET_KEY"], user_id(app, "ada@example.com"), question.id, NOW)
    bad = student.post("/study/answer", data={"presentation": token, "region": question.region})
    assert bad.status_code == 400 and b"not one of the choices" in bad.data
    wrong = next(s for s in locate_spots(question.regions) if s.site != question.region)
    location = student.post("/study/answer", data={"presentation": token, "region": str(wrong.number)}).headers["Location"]
    page = student.get(location).get_data(as_text=True)
    assert "You chose:" in page and region_label(question.region) in page and page.count(region_label(question.region)) == 1


def test_grading_names_sites_in_plain_english_with_anatomy_in_brackets(app: Flask) -> None:
    question = _hotspot(app)
    other = next(r for r in question.regions if r != question.region)
    message = grade(question, other).message
    assert message.startswith("You chose the ") and "(" in message and "-" not in message.split(";")[0]


def test_truefalse_answer_page_explains_once(app: Flask, student: FlaskClient) -> None:
    question = next(q for q in app.extensions["bank"].questions if q.type == "truefalse")
    token = presentations.issue(app.config["SECRET_KEY"], user_id(app, "ada@example.com"), question.id, NOW)
    location = student.post("/study/answer", data={"presentation": token, **answer_fields(question, correct=False)}).headers["Location"]
    page = student.get(location).get_data(as_text=True)
    for text in {question.explanation, question.reason}:  # type: ignore[attr-defined]
        assert page.count(text[:60]) == 1


def test_expired_login_keeps_the_answer_and_records_it_after_log_in(app: Flask, client: FlaskClient) -> None:
    signup(client)
    question = next(q for q in app.extensions["bank"].questions if q.type == "cloze")
    token = presentations.issue(app.config["SECRET_KEY"], user_id(app, "ada@example.com"), question.id, NOW)
    client.post("/logout")  # the session is gone, as after it expired
    sent = client.post("/study/answer", data={"presentation": token, **answer_fields(question)})
    assert sent.status_code == 302 and "/login" in sent.headers["Location"] and "resume" in sent.headers["Location"]
    assert _reviews(app) == 0
    login = client.post(sent.headers["Location"], data={"email": "ada@example.com", "password": "correct horse battery"})
    assert login.headers["Location"].endswith("/study/resume")
    recorded = client.get("/study/resume")
    assert recorded.status_code == 302 and "/study/answers/" in recorded.headers["Location"]
    assert _reviews(app) == 1
    assert "study_stash=;" in recorded.headers.get("Set-Cookie", "") or "Expires=Thu, 01 Jan 1970" in recorded.headers.get("Set-Cookie", "")
    again = client.get("/study/resume", follow_redirects=True)
    assert b"no kept answer" in again.data and _reviews(app) == 1


def test_expired_csrf_token_keeps_the_answer(app: Flask, student: FlaskClient) -> None:
    question = next(q for q in app.extensions["bank"].questions if q.type == "mcq")
    token = presentations.issue(app.config["SECRET_KEY"], user_id(app, "ada@example.com"), question.id, NOW)
    app.config["WTF_CSRF_ENABLED"] = True
    sent = student.post("/study/answer", data={"presentation": token, "csrf_token": "stale", **answer_fields(question)})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/study/resume")
    recorded = student.get("/study/resume")
    assert "/study/answers/" in recorded.headers["Location"] and _reviews(app) == 1
    other = student.post("/join", data={"join_code": "X", "csrf_token": "stale"})
    assert other.status_code == 400 and b"expired" in other.data


def test_a_stash_is_never_recorded_for_another_learner(app: Flask, client: FlaskClient) -> None:
    signup(client)
    question = next(q for q in app.extensions["bank"].questions if q.type == "mcq")
    token = presentations.issue(app.config["SECRET_KEY"], user_id(app, "ada@example.com"), question.id, NOW)
    client.post("/logout")
    client.post("/study/answer", data={"presentation": token, **answer_fields(question)})
    signup(client, email="eve@example.com", name="Eve")
    client.get("/study/resume")
    assert _reviews(app) == 0


def test_class_limit_offers_extra_practice_that_records_nothing(app: Flask, student: FlaskClient) -> None:
    _, code = make_class(app, daily_new_limit=1, name="Morning class")
    student.post("/join", data={"join_code": code})
    page = student.get("/study/")
    shown = presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com"))
    question = app.extensions["bank"].get(shown.item_id)
    student.post("/study/answer", data={"presentation": token_of(page.data), **answer_fields(question)})
    done = student.get("/study/").get_data(as_text=True)
    assert "daily limit of" in done and "Morning class" in done and "1 learning soon" in done.replace("</span>", "")
    practice = student.get("/study/practice")
    assert practice.status_code == 200 and b"nothing is recorded" in practice.data
    shown = presentations.verify(app.config["SECRET_KEY"], token_of(practice.data), user_id(app, "ada@example.com"))
    other = app.extensions["bank"].get(shown.item_id)
    assert other.id != question.id
    graded = student.post("/study/practice", data={"presentation": token_of(practice.data), **answer_fields(other)})
    assert graded.status_code == 200 and b"not recorded" in graded.data and b"/study/practice?after=" in graded.data
    assert _reviews(app) == 1
    ahead = student.get("/study/?ahead=1")
    assert token_of(ahead.data) and b'name="ahead" value="1"' in ahead.data
    wait = student.get("/study/?wait=1").get_data(as_text=True)
    assert 'http-equiv="refresh"' in wait


def _due_at(app: Flask, due: dt.datetime, state: int) -> None:
    """Move every item state (its card too: the planner reads the card) to `due`, in FSRS `state`."""
    from webapp.platform.models import ItemState

    with app.app_context():
        session = get_session()
        for item in session.scalars(select(ItemState)):
            item.card, item.due, item.state = {**item.card, "due": due.isoformat(), "state": state}, due, state
        session.commit()


def test_the_daily_limit_is_counted_in_the_learners_own_day(app: Flask, student: FlaskClient,
                                                            monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import update

    from webapp.platform.models import User
    from webapp.study import views

    # Kiritimati is UTC+14: an answer at 11:00 UTC on 1 March is 01:00 on 2 March there.
    answered, later = dt.datetime(2026, 3, 1, 11, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.timezone.utc)
    _, code = make_class(app, daily_new_limit=1, name="Island class")
    student.post("/join", data={"join_code": code})
    with app.app_context():
        session = get_session()
        session.execute(update(User).where(User.email == "ada@example.com").values(timezone="Pacific/Kiritimati"))
        session.commit()
    monkeypatch.setattr(views, "utcnow", lambda: answered)
    page = student.get("/study/")
    shown = presentations.verify(app.config["SECRET_KEY"], token_of(page.data), user_id(app, "ada@example.com"))
    student.post("/study/answer", data={"presentation": token_of(page.data),
                                        **answer_fields(app.extensions["bank"].get(shown.item_id))})
    _due_at(app, later + dt.timedelta(days=5), 2)  # nothing due: only the new limit can stop the session
    monkeypatch.setattr(views, "utcnow", lambda: later)  # 15:00 on 2 March there, the same local day
    done = student.get("/study/").get_data(as_text=True)
    assert "new questions are done" in done and "daily limit of" in done, (
        "the new question met at 01:00 local time counts towards the learner's day")
    _due_at(app, later + dt.timedelta(minutes=8), 1)  # a learning step soon: the page says when, on their clock
    soon = student.get("/study/").get_data(as_text=True)
    assert ">15:08</time>" in soon and "UTC" not in soon
