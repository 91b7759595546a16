"""`massage-course decks build`: files, what it prints, refusals."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from course import load_course
from decks.cli import decks_group
from decks.ledger import Ledger
from quizzes.bank import build_bank


def test_build_writes_the_course_and_every_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(decks_group, ["build", "--out", str(tmp_path / "decks"), "--ledger", str(tmp_path / "notes.lock")])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in (tmp_path / "decks").iterdir())
    assert names == sorted(["massage-safety.apkg", "massage-safety--endangerment-sites.apkg",
                            "massage-safety--nerve-injury.apkg", "massage-safety--post-massage-soreness.apkg",
                            "massage-safety--neck-safety.apkg"])
    ledger, *wrote = result.stdout.splitlines()
    assert ledger.startswith(f"{tmp_path / 'notes.lock'}: ") and "commit it with the content" in ledger
    assert len(wrote) == 5 and all(line.startswith("wrote ") for line in wrote)
    assert "Building decks" in result.stderr  # the progress bar
    assert wrote[0].startswith(f"wrote {tmp_path / 'decks' / 'massage-safety.apkg'}: ") and " notes, " in wrote[0]
    # a second build with nothing changed leaves the ledger alone and says nothing about it
    before = (tmp_path / "notes.lock").read_text(encoding="utf-8")
    again = CliRunner().invoke(decks_group, ["build", "--out", str(tmp_path / "decks"),
                                             "--ledger", str(tmp_path / "notes.lock")])
    assert again.exit_code == 0 and all(line.startswith("wrote ") for line in again.stdout.splitlines())
    assert (tmp_path / "notes.lock").read_text(encoding="utf-8") == before


def test_build_one_module(tmp_path: Path) -> None:
    out = tmp_path / "decks"
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--out", str(out),
                                              "--ledger", str(tmp_path / "notes.lock")])
    assert result.exit_code == 0, result.output
    assert [path.name for path in out.iterdir()] == ["massage-safety--nerve-injury.apkg"]
    # the ledger describes the whole course, whichever packages were built
    notes = [key for key in Ledger.load(tmp_path / "notes.lock").entries if not key.startswith("note-type:")]
    assert len(notes) == len(build_bank(load_course()))
    assert "(nerve-injury)" in result.output


def test_unknown_module_is_a_message_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--module", "legs", "--out", str(out),
                                              "--ledger", str(tmp_path / "notes.lock")])
    assert result.exit_code == 1
    assert "Error: unknown module(s) legs; the course has endangerment-sites" in result.output
    assert "Traceback" not in result.output and not out.exists() and not (tmp_path / "notes.lock").exists()


def test_unwritable_folder_is_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--out", str(blocker / "sub"),
                                              "--ledger", str(tmp_path / "notes.lock")])
    assert result.exit_code == 1
    assert "Error: cannot write the decks: [Errno 20] Not a directory" in result.stderr
    assert "Traceback" not in result.output
