"""Real Anki collections for the upload tests: our deck imported, answered with Anki's scheduler, exported."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from pathlib import Path
from typing import Any

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest
from flask import Flask
from flask.testing import FlaskClient

from course import Course
from decks.package import build_package
from quizzes.bank import Bank, build_bank

# Buttons pressed, card after card: Again, Good, Hard, Good, Easy, ...
BUTTONS = (1, 3, 2, 3, 4, 3, 1, 3)


def course_bank(course: Course, size: int = 6) -> Bank:
    """A few of the real course's questions (their ids are the ones the web app knows)."""
    bank = build_bank(course)
    return Bank(course=course, questions=tuple(list(bank)[:size]))


def new_collection(folder: Path) -> Collection:
    """A fresh, empty Anki collection in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_deck(col: Collection, bank: Bank, folder: Path) -> None:
    """Build our .apkg for `bank` and import it like Anki's import dialog does."""
    report = build_package(bank, None, folder / "course.apkg")
    options = col._backend.get_import_anki_package_presets()
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(report.path), options=options))
    deck_id = col.decks.id_for_name("Massage Safety")
    assert deck_id is not None
    col.decks.set_current(deck_id)  # study it, as a learner clicking the deck does


def study(col: Collection, answers: int) -> int:
    """Answer `answers` cards with Anki's own scheduler (v3); returns how many were answered."""
    done = 0
    while done < answers:
        card = col.sched.getCard()
        if card is None:
            break
        time.sleep(0.002)  # distinct revlog ids are Anki's job; keep its clock moving anyway
        col.sched.answerCard(card, BUTTONS[done % len(BUTTONS)])  # type: ignore[arg-type]
        done += 1
    return done


def answer_card(col: Collection, card_id: int, button: int) -> None:
    """Answer one chosen card with Anki's scheduler, as the reviewer does when it shows that card."""
    card = col.get_card(card_id)  # type: ignore[arg-type]
    card.start_timer()
    time.sleep(0.01)
    col.sched.answerCard(card, button)  # type: ignore[arg-type]


def revlog(col: Collection) -> list[tuple[Any, ...]]:
    """(revlog id, note guid, button, interval, time taken) of every answer, by id."""
    assert col.db is not None
    return [tuple(row) for row in col.db.all(
        "SELECT r.id, n.guid, r.ease, r.ivl, r.time FROM revlog r JOIN cards c ON c.id = r.cid"
        " JOIN notes n ON n.id = c.nid ORDER BY r.id"
    )]


def export_apkg(col: Collection, path: Path, *, scheduling: bool = True) -> Path:
    """Export the whole collection as an .apkg (current format), with scheduling by default."""
    options = ExportAnkiPackageOptions(with_scheduling=scheduling, with_deck_configs=scheduling, with_media=False,
                                       legacy=False)
    col.export_anki_package(out_path=str(path), options=options, limit=None)
    return path


def export_colpkg(col: Collection, path: Path) -> Path:
    """Export the collection as a .colpkg backup (this closes `col`)."""
    col.export_collection_package(str(path), include_media=False, legacy=False)
    return path


def upload(client: FlaskClient, data: bytes, name: str = "collection.apkg") -> Any:
    """POST the bytes to the upload form; follow redirects to the job's page."""
    return client.post("/progress/anki", data={"package": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def wait_for_job(app: Flask, client: FlaskClient, page: Any, seconds: float = 60) -> str:
    """The job page's HTML once the import has finished (polls its status like the page's script)."""
    text: str = page.get_data(as_text=True)
    url = page.request.path
    deadline = time.monotonic() + seconds
    while "data-status-url" in text:
        assert time.monotonic() < deadline, "import did not finish"
        time.sleep(0.1)
        text = client.get(url).get_data(as_text=True)
    return text


def zip_bytes(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED, level: int | None = None) -> bytes:
    """A zip file holding `entries` (deflated at zlib's `level`, its default if None)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=level) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def collection_entry(folder: Path, course: Course, answers: int = 4, size: int = 6) -> Path:
    """A real collection (our deck imported and answered with Anki's scheduler), closed: its SQLite file."""
    col = new_collection(folder)
    import_deck(col, course_bank(course, size), folder)
    study(col, answers)
    col.close(downgrade=True)  # a plain schema-11 file, as a legacy export holds
    return folder / "collection.anki2"


def tampered(folder: Path, course: Course, *statements: str) -> bytes:
    """A real collection changed by raw SQL `statements`, packaged as a legacy .apkg (collection.anki21)."""
    import sqlite3

    path = collection_entry(folder, course)
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return zip_bytes({"collection.anki21": path.read_bytes()}, level=1)  # a million answers pack 3x faster


def many_answers(folder: Path, course: Course, count: int, size: int = 6) -> bytes:
    """A real collection whose revlog holds `count` extra answers (Good, a minute apart) over our notes' question cards."""
    import sqlite3

    path = collection_entry(folder, course, size=size)
    connection = sqlite3.connect(path)
    start = int(time.time() * 1000) - count * 60_000 - 86_400_000
    # A note is answered only after it was added (the import refuses otherwise): date the notes before the
    # history, as a learner who added the deck long ago has them (a note's id is its creation time).
    shift = max(0, int(connection.execute("SELECT max(id) FROM notes").fetchone()[0]) - start + 60_000)
    connection.execute("UPDATE cards SET nid = nid - ?", (shift,))
    connection.execute("UPDATE notes SET id = id - ?", (shift,))
    # Answer n goes to the (n mod cards)-th question card. Rows made by SQL, with revlog's indexes built once
    # afterwards, take a quarter of the time of a Python executemany into the indexed table (a million: 27 s).
    indexes = [row[0] for row in connection.execute("SELECT sql FROM sqlite_master WHERE type = 'index'"
                                                       " AND tbl_name = 'revlog' AND sql IS NOT NULL")]
    for statement in indexes:
        connection.execute(f"DROP INDEX {statement.split()[2]}")
    connection.execute("CREATE TEMP TABLE question_cards AS"
                       " SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM cards WHERE ord = 0")
    connection.execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " WITH RECURSIVE answer(n) AS (SELECT 0 WHERE ? > 0 UNION ALL SELECT n + 1 FROM answer WHERE n + 1 < ?)"
        " SELECT ? + answer.n * 60000, card.id, -1, 3, 1, 0, 2500, 4000, 1 FROM answer"
        " JOIN question_cards AS card ON card.n = answer.n % (SELECT count(*) FROM question_cards)",
        (count, count, start))
    for statement in indexes:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return zip_bytes({"collection.anki21": path.read_bytes()}, level=1)  # a million answers pack 3x faster


def forged_history(folder: Path, course: Course) -> bytes:
    """A real collection (Anki's own 4 answers) with forged Easy rows: two in the future, one before its note,
    a burst of 20 overlapping answers, and 60 one-second answers in a row (20 over the per-minute bound)."""
    import sqlite3

    path = collection_entry(folder, course)
    connection = sqlite3.connect(path)
    cards = [row[0] for row in connection.execute("SELECT id FROM cards WHERE ord = 0 ORDER BY id")]
    now = int(time.time() * 1000)
    # The notes were added three days ago (a note's id is its creation time; the package's are its build time,
    # which may be minutes ago): the forged answers below are then refused for what they are, not for their notes.
    shift = max(0, int(connection.execute("SELECT max(id) FROM notes").fetchone()[0]) - (now - 3 * 86_400_000))
    connection.execute("UPDATE cards SET nid = nid - ?", (shift,))
    connection.execute("UPDATE notes SET id = id - ?", (shift,))
    created = int(connection.execute("SELECT min(id) FROM notes").fetchone()[0])
    rows = [(int(dt.datetime(2027, 6, 1, 9, tzinfo=dt.timezone.utc).timestamp() * 1000), cards[0], 5000),  # future
            (10 ** 16, cards[0], 5000),  # beyond any date a datetime holds
            (created - 30 * 86_400_000, cards[1], 5000)]  # a month before the note was made
    burst = now - 7_200_000
    rows += [(burst + n * 200, cards[n % len(cards)], 5000) for n in range(1, 21)]  # 20 answers in 4 s, 5 s each
    steady = now - 5_400_000
    rows += [(steady + n * 1_000, cards[n % len(cards)], 900) for n in range(60)]  # 60 one-second answers in a row
    connection.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                           " VALUES (?, ?, -1, 4, 30, 10, 2500, ?, 1)", rows)
    connection.commit()
    connection.close()
    return zip_bytes({"collection.anki21": path.read_bytes()})


def peak_rss_growth_mb(action: Any) -> tuple[Any, float]:
    """Run `action()`; return its result and how far this process's peak resident memory rose above where it was, MB."""
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current size
    before = _status_kb("VmRSS")
    result = action()
    return result, (_status_kb("VmHWM") - before) / 1024


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(field)
