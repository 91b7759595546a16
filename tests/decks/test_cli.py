"""`massage-course decks build`: files, what it prints, refusals."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from decks.cli import decks_group


def test_build_writes_the_course_and_every_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(decks_group, ["build", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(["massage-safety.apkg", "massage-safety--endangerment-sites.apkg",
                            "massage-safety--nerve-injury.apkg", "massage-safety--post-massage-soreness.apkg",
                            "massage-safety--neck-safety.apkg"])
    wrote = result.stdout.splitlines()
    assert len(wrote) == 5 and all(line.startswith("wrote ") for line in wrote)
    assert "Building decks" in result.stderr  # the progress bar
    assert wrote[0].startswith(f"wrote {tmp_path / 'massage-safety.apkg'}: ") and " notes, " in wrote[0]


def test_build_one_module(tmp_path: Path) -> None:
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert [path.name for path in tmp_path.iterdir()] == ["massage-safety--nerve-injury.apkg"]
    assert "(nerve-injury)" in result.output


def test_unknown_module_is_a_message_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--module", "legs", "--out", str(out)])
    assert result.exit_code == 1
    assert "Error: unknown module(s) legs; the course has endangerment-sites" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_unwritable_folder_is_a_message(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(decks_group, ["build", "--module", "nerve-injury", "--out", str(blocker / "sub")])
    assert result.exit_code == 1
    assert "Error: cannot write the decks: [Errno 20] Not a directory" in result.stderr
    assert "Traceback" not in result.output
