"""The study page plans from the state columns; they must say what the stored cards say."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from quizzes.planner import Limits, due_cards, plan_from, plan_next
from tests.webapp.helpers import answer_fields
from webapp.platform.models import ItemState
from webapp.questions.responses import parse_response
from webapp.records.answers import record_answer
from webapp.records.stats import load_cards
from webapp.study.plan import study_cards

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.timezone.utc)


def test_study_cards_match_the_stored_cards_at_every_moment(app: Flask, db: Session) -> None:
    bank = app.extensions["bank"]
    questions = bank.questions[:12]
    # Answers over two weeks, right and wrong, so the states mix learning, review and relearning
    # and their due times spread from minutes to weeks.
    for day in range(14):
        for number, question in enumerate(questions):
            if (day + number) % 3:
                continue
            correct = (day * 7 + number) % 4 != 0
            parsed = parse_response(question, MultiDict(answer_fields(question, correct)))
            at = START + dt.timedelta(days=day, minutes=number)
            record_answer(db, 1, question, parsed.response, 4000, f"p-{day}-{number}", at, 0.9, 0.95)
    # A state of a question no longer in the bank is never studied.
    db.add(ItemState(user_id=1, item_id="retired-question", card={"due": START.isoformat(), "state": 2}, due=START,
                     state=2, stability=3.0, reps=1))
    db.commit()

    cards = load_cards(db, 1, bank)
    assert "retired-question" not in cards and len(cards) == len(questions)
    due_counts = set()
    for hours in range(0, 24 * 40, 7):
        now = START + dt.timedelta(hours=hours)
        seen, due = study_cards(db, 1, bank, now)
        assert seen == set(cards)
        assert due == due_cards(cards, now), now
        due_counts.add(len(due))
        for limits in (Limits(), Limits(new_per_day=0), Limits(lesson=questions[0].lesson)):
            assert plan_from(seen, due, bank, limits, now, last_item=questions[0].id) == plan_next(
                cards, bank, limits, now, last_item=questions[0].id)
    # The moments covered both nothing due and several due at once.
    assert 0 in due_counts and max(due_counts) >= 3


def test_the_study_page_never_offers_a_sibling_of_an_item_answered_today(app: Flask, db: Session) -> None:
    from webapp.classes.settings import StudySettings
    from webapp.study.plan import Scope, plan

    bank = app.extensions["bank"]
    groups = [ids for ids in (tuple(q.id for q in bank.by_objective(o)) for o in bank.objectives) if len(ids) >= 2]
    assert groups, "the real course has sibling groups"
    settings = StudySettings(0.9, 1000, None)
    now = START
    shown: list[str] = []
    for number in range(40):  # a long first day: every new item the planner offers, answered
        question = plan(db, 1, bank, settings, Scope(), now).next
        assert question is not None
        shown.append(question.id)
        parsed = parse_response(question, MultiDict(answer_fields(question, True)))
        record_answer(db, 1, question, parsed.response, 4000, f"s-{number}", now, 0.9, 0.95)
        now += dt.timedelta(minutes=1)
    for ids in groups:
        met = [item for item in dict.fromkeys(shown) if item in ids]
        assert len(met) <= 1, f"siblings {met} both shown on one day"
    # Tomorrow the deferred siblings may come.
    tomorrow = plan(db, 1, bank, settings, Scope(), START + dt.timedelta(days=1, hours=1)).next
    assert tomorrow is not None
