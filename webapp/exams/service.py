"""Practice exams in the database: create with a readiness prediction, save answers, finish once.

Rules:
- An exam is drawn (`quizzes.exams.draw_exam`) and its readiness predicted
  (`quizzes.exams.predict_score`, on the day it is created) before the learner
  begins; `begin` starts the clock and sets the deadline of a timed exam.
- Answers are saved as they are given but graded only at the end. The server
  keeps the time limit: an answer sent after the deadline (plus `GRACE`, for
  the page the timer submits at zero) is not saved, and any request after it
  finishes the exam.
- `finish` records each answered question once as a review with source "exam"
  through `webapp.records.answers.record_answer`, under the presentation id
  `exam-<exam id>-<position>`, so the scheduler learns from it (a miss comes back
  soon) and a repeated finish records nothing twice. An unanswered question
  scores 0 and records no review (there is no answer to schedule from).
- Saving and finishing lock the exam's row (`_lock`), so an answer saved in one
  tab while another finishes is either graded with the rest or refused, never
  kept ungraded.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from quizzes.bank import Bank
from quizzes.exams import Tally, draw_exam, predict_score, tally_by
from quizzes.questions import Question
from webapp.platform.errors import WebappError
from webapp.platform.models import Exam, ExamAnswer, ItemState, User
from webapp.records.answers import record_answer
from webapp.records.scoring import MAX_RESPONSE_MS, ReviewError

GRACE = dt.timedelta(seconds=30)
SOURCE = "exam"


class ExamError(WebappError):
    """An exam cannot be made as asked (the message is for the learner)."""


def presentation_id(exam: Exam, position: int) -> str:
    """The review presentation id of one exam question (unique, so it is recorded once)."""
    return f"exam-{exam.id}-{position}"


# A whole class may start an exam on the same click, so the start reads only the drawn items' cards and
# writes the questions in one statement, built once, instead of every card and one ORM object a question.
_STATES = ItemState.__table__.c
_DRAWN_CARDS = select(_STATES.item_id, _STATES.card).where(
    _STATES.user_id == bindparam("user_id"), _STATES.item_id.in_(bindparam("items", expanding=True)))
_QUESTIONS: Table = ExamAnswer.__table__  # type: ignore[assignment]  # declarative tables are Tables
_ADD_QUESTIONS = insert(_QUESTIONS)


def _cards_of(session: Session, user_id: int, items: Sequence[str]) -> dict[str, Any]:
    """The learner's memory cards of the drawn `items` only (what the score prediction reads)."""
    return {row.item_id: row.card for row in session.execute(_DRAWN_CARDS, {"user_id": user_id, "items": list(items)})}


def create_exam(session: Session, user_id: int, bank: Bank, *, length: int, modules: Iterable[str] | None,
                time_limit_min: int | None, now: dt.datetime, assignment_id: int | None = None) -> Exam:
    """Draw an exam for the learner and predict their score on it; commits.

    Raises:
        ExamError: when the scope holds no questions.
    """
    scope = sorted(set(modules)) if modules else []
    items = draw_exam(bank, length, secrets.token_hex(8), scope or None)
    if not items:
        raise ExamError("There are no questions in that selection. Choose other modules.")
    cards = _cards_of(session, user_id, items)
    exam = Exam(user_id=user_id, assignment_id=assignment_id, modules=scope, length=len(items),
                time_limit_min=time_limit_min, created_at=now, predicted=predict_score(cards, items, now))
    session.add(exam)
    session.flush()  # the exam's id, which its questions carry
    session.execute(_ADD_QUESTIONS, [{"exam_id": exam.id, "position": n, "item_id": item, "flagged": False,
                                      "response_ms": 0} for n, item in enumerate(items, 1)])
    session.commit()
    return exam


def missed_items(exam: Exam, bank: Bank) -> list[str]:
    """The items of a finished exam not fully right (unanswered included), in the order asked; retired ones left out."""
    return [a.item_id for a in exam.answers if a.item_id in bank and (a.score or 0.0) < 1.0]


def create_retake(session: Session, user_id: int, bank: Bank, exam: Exam, now: dt.datetime) -> Exam:
    """A short exam of the questions missed in a finished exam, begun at once (no time limit); commits.

    It is drawn from one exam, whose items already test different objectives, so
    the siblings rule still holds. Its answers are recorded like any exam's.

    Raises:
        ExamError: when the exam is not finished or nothing was missed.
    """
    if exam.finished_at is None or exam.score is None:
        raise ExamError("Finish this exam before retaking the questions you missed.")
    items = missed_items(exam, bank)
    if not items:
        raise ExamError("You missed nothing in this exam, so there is nothing to retake.")
    cards = _cards_of(session, user_id, items)
    retake = Exam(user_id=user_id, assignment_id=None, modules=list(exam.modules), length=len(items),
                  time_limit_min=None, created_at=now, started_at=now, predicted=predict_score(cards, items, now))
    retake.answers = [ExamAnswer(position=n, item_id=item, flagged=False, response_ms=0)
                      for n, item in enumerate(items, 1)]
    session.add(retake)
    session.commit()
    return retake


def own_exam(session: Session, user_id: int, exam_id: int) -> Exam | None:
    """The learner's exam with this id, or None."""
    return session.scalar(select(Exam).where(Exam.id == exam_id, Exam.user_id == user_id))


def begin(session: Session, exam: Exam, now: dt.datetime) -> None:
    """Start the clock (once); commits."""
    if exam.started_at is None:
        exam.started_at = now
        if exam.time_limit_min:
            exam.deadline = now + dt.timedelta(minutes=exam.time_limit_min)
        session.commit()


def time_is_up(exam: Exam, now: dt.datetime) -> bool:
    """True once the deadline (plus the grace for the timer's own submit) has passed."""
    return exam.deadline is not None and now > exam.deadline + GRACE


def _begin_write(session: Session) -> None:
    """End what the session had open and begin a write transaction (IMMEDIATE on SQLite, even in a GET)."""
    session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def _lock(session: Session, exam: Exam) -> None:
    """Hold the exam's row for this transaction and read it and its answers as they are now.

    Saving and finishing both take it first, so one waits for the other: a save
    either lands before the finish reads the responses, or sees the exam finished.
    """
    _begin_write(session)
    session.execute(select(Exam).where(Exam.id == exam.id).with_for_update()
                    .execution_options(populate_existing=True)).scalar_one()
    session.scalars(select(ExamAnswer).where(ExamAnswer.exam_id == exam.id)
                    .execution_options(populate_existing=True)).all()


def save_answer(session: Session, exam: Exam, position: int, response: object, flagged: bool, took_ms: int) -> bool:
    """Keep a response (None: unanswered) and the flag; time adds up across visits; commits.

    Returns False, saving nothing, when the exam was finished meanwhile (in another tab).
    """
    _lock(session, exam)
    if exam.finished_at is not None:
        session.commit()
        return False
    answer = exam.answers[position - 1]
    answer.response = list(response) if isinstance(response, tuple) else response
    answer.flagged = flagged
    answer.response_ms = min(MAX_RESPONSE_MS, answer.response_ms + max(0, took_ms))
    session.commit()
    return True


def finish(session: Session, user: User, exam: Exam, bank: Bank, now: dt.datetime,
           desired_retention: float, safety_retention: float) -> None:
    """Grade the exam, record its answers as reviews (each once) and keep the score; commits.

    The first step, under the exam's lock, marks it finished: from then on no save
    changes a response, so every response graded here is the one kept. A finish
    that was interrupted (finished, not scored) is completed by the next call.
    """
    _lock(session, exam)
    if exam.finished_at is not None and exam.score is not None:
        session.commit()
        return
    if exam.finished_at is None:
        exam.finished_at = now
    session.commit()
    user_id = user.id
    for position in range(1, exam.length + 1):
        answer = exam.answers[position - 1]
        question = bank.get(answer.item_id)
        if question is None or answer.response is None or answer.review_id is not None:
            continue
        _begin_write(session)
        try:
            recorded = record_answer(session, user_id, question, answer.response, answer.response_ms,
                                     presentation_id(exam, position), exam.finished_at or now, desired_retention,
                                     safety_retention, source=SOURCE)
        except ReviewError:
            continue  # a stored response that no longer grades (the item changed): scored 0 below
        answer = exam.answers[position - 1]  # record_answer committed; the session keeps `exam`
        answer.review_id = recorded.review.id
        answer.score = recorded.grade.score
        session.commit()
    _begin_write(session)
    counted = [a for a in exam.answers if a.item_id in bank]
    for answer in counted:
        if answer.score is None:
            answer.score = 0.0
    exam.score = sum(a.score or 0.0 for a in counted) / len(counted) if counted else 0.0
    session.commit()


@dataclass(frozen=True)
class Missed:
    """A question not fully right: the item, the learner's response and its score."""

    position: int
    question: Question
    response: Any
    score: float


@dataclass(frozen=True)
class Breakdown:
    """A finished exam's score overall, by content area and by module, and what was missed."""

    overall: Tally
    by_area: dict[str, Tally]
    by_module: dict[str, Tally]
    missed: list[Missed]


def breakdown(exam: Exam, bank: Bank) -> Breakdown:
    """The result of a finished exam (retired items left out)."""
    scores: dict[str, float] = {}
    missed: list[Missed] = []
    for answer in exam.answers:
        question = bank.get(answer.item_id)
        if question is None:
            continue
        scores[question.id] = answer.score or 0.0
        if (answer.score or 0.0) < 1.0:
            missed.append(Missed(answer.position, question, answer.response, answer.score or 0.0))
    areas = {item: bank.get(item).mblex for item in scores}  # type: ignore[union-attr]
    modules = {item: bank.get(item).module for item in scores}  # type: ignore[union-attr]
    return Breakdown(
        overall=Tally(sum(scores.values()), len(scores)),
        by_area=tally_by(scores, areas),
        by_module=tally_by(scores, modules),
        missed=missed,
    )


def exams_of(session: Session, user_id: int, limit: int = 50) -> list[Exam]:
    """The learner's exams, newest first."""
    return list(session.scalars(
        select(Exam).where(Exam.user_id == user_id).order_by(Exam.created_at.desc(), Exam.id.desc()).limit(limit)))


def calibration_pairs(session: Session) -> list[tuple[float, float]]:
    """(predicted, actual) score of every finished exam: the readiness calibration data."""
    rows = session.execute(select(Exam.predicted, Exam.score).where(Exam.score.is_not(None)))
    return [(float(predicted), float(score or 0.0)) for predicted, score in rows]
