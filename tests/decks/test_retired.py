"""Questions that leave the course, against the real Anki: a notice arrives in their place, tagged MSC::retired."""

from __future__ import annotations

import re
from pathlib import Path

from anki.collection import Collection
from anki.consts import QUEUE_TYPE_SUSPENDED

from course import Course
from decks.ids import note_guid
from decks.ledger import Ledger
from decks.package import bank_digests, bank_shapes, build_package
from decks.retired import RETIRED_TAG
from quizzes.bank import Bank, build_bank
from quizzes.questions import Question
from tests.decks.conftest import SAMPLE_CARDS, import_package, sample_questions
from tests.decks.test_anki_import import RELEASE_DAY
from tests.decks.test_anki_import import _bank as sample_bank

DAY = 86_400


def _shown(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _note(col: Collection, item_id: str):  # -> anki.notes.Note
    note_ids = col.db.list("SELECT id FROM notes WHERE guid = ?", note_guid(item_id))
    assert len(note_ids) == 1, f"{item_id}: {len(note_ids)} notes"
    return col.get_note(note_ids[0])


class Releases:
    """Releases as `make decks` makes them: the ledger records digests and shapes, so leaving questions retire."""

    def __init__(self, course: Course, folder: Path) -> None:
        self.course, self.folder, self.ledger, self.count = course, folder, Ledger(), 0

    def publish(self, questions: list[Question], now: int, modules: list[str] | None = None) -> Path:
        bank = sample_bank(self.course, questions)
        self.ledger = self.ledger.updated(bank_digests(bank), now, shapes=bank_shapes(bank))
        self.count += 1
        return build_package(bank, modules, self.folder / f"v{self.count}.apkg", ledger=self.ledger).path


LEAVING = {"t-tf", "t-cloze", "t-match"}  # Basic, Cloze (two cards), Basic with its reverse card


def test_a_retired_question_arrives_as_a_notice_the_learner_can_suspend(course: Course, tmp_path: Path,
                                                                       collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    card = _note(collection, "t-tf").cards()[0]
    card.start_timer()
    collection.sched.answerCard(card, 3)
    history = collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id)

    remaining = [question for question in questions if question.id not in LEAVING]
    log = import_package(collection, releases.publish(remaining, RELEASE_DAY + DAY))

    assert {note.id.nid for note in log.updated} == {_note(collection, item_id).id for item_id in LEAVING}
    assert not log.new and not log.conflicting
    assert collection.note_count() == len(SAMPLE_CARDS) and collection.card_count() == sum(SAMPLE_CARDS.values())
    for item_id in LEAVING:
        note = _note(collection, item_id)
        assert RETIRED_TAG in note.tags, item_id
        assert len(note.cards()) == SAMPLE_CARDS[item_id]
        for shown in note.cards():
            # every card of it, front and back, says so (a cloze card still finds its number)
            assert "Retired from the course" in _shown(shown.question()), (item_id, shown.ord)
            assert "Retired from the course" in _shown(shown.answer()), (item_id, shown.ord)
    assert collection.db.list("SELECT id FROM revlog WHERE cid = ?", card.id) == history  # the history stays
    # the notice's way to suspend them all works, and touches nothing else
    retired_cards = collection.find_cards(f"tag:{RETIRED_TAG}")
    assert len(retired_cards) == sum(SAMPLE_CARDS[item_id] for item_id in LEAVING)
    collection.sched.suspend_cards(retired_cards)
    queues = dict(collection.db.all("SELECT id, queue FROM cards"))
    assert {cid for cid, queue in queues.items() if queue == QUEUE_TYPE_SUSPENDED} == set(retired_cards)
    # the same release again, or the next one, changes nothing more
    assert not import_package(collection, tmp_path / "v2.apkg").updated
    assert not import_package(collection, releases.publish(remaining, RELEASE_DAY + 2 * DAY)).updated


def test_a_new_learner_gets_no_card_of_a_retired_question(course: Course, tmp_path: Path,
                                                          collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    releases.publish(questions, RELEASE_DAY)
    remaining = [question for question in questions if question.id not in LEAVING]
    log = import_package(collection, releases.publish(remaining, RELEASE_DAY + DAY))
    assert collection.card_count() == sum(SAMPLE_CARDS[q.id] for q in remaining)
    assert not collection.find_cards(f"tag:{RETIRED_TAG}")
    assert len(log.new) == len(questions)  # the notices are notes without cards


def test_a_module_package_carries_only_its_own_retired_questions(course: Course, tmp_path: Path,
                                                                 collection: Collection) -> None:
    releases = Releases(course, tmp_path)
    questions = sample_questions()
    import_package(collection, releases.publish(questions, RELEASE_DAY))
    remaining = [question for question in questions if question.id not in LEAVING]
    # t-tf and t-cloze are of nerve-injury, t-match of endangerment-sites
    log = import_package(collection, releases.publish(remaining, RELEASE_DAY + DAY, ["endangerment-sites"]))
    assert [note.id.nid for note in log.updated] == [_note(collection, "t-match").id]
    assert RETIRED_TAG not in _note(collection, "t-tf").tags


def test_the_committed_ledger_retires_the_questions_that_left_the_course(course: Course, tmp_path: Path,
                                                                         collection: Collection) -> None:
    bank: Bank = build_bank(course)
    retired = Ledger.load().retired()
    assert "hotspot-only-organ" in retired and not {question.id for question in bank.questions} & set(retired)
    report = build_package(bank, None, tmp_path / "course.apkg")
    assert report.retired == len(retired)
    import_package(collection, report.path)
    notice = _note(collection, "hotspot-only-organ")
    assert RETIRED_TAG in notice.tags and not notice.cards()
    assert "Retired from the course" in notice.fields[0] and "hotspot-only-organ" in notice.fields[0]
