"""`quizgen export KEY.json --format F --out FILE` without typer (issue 15): the same file and the same
line as the typer command, and everything else handed back to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_export_support import small_exam
from test_startup import imported_by
from typer.testing import CliRunner

from quizgen.cli import _fast, app
from quizgen.exam import write_key

runner = CliRunner()


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "key.json"
    write_key(small_exam(), path)
    return path


@pytest.mark.parametrize("options", [
    ["--format", "moodle"], ["-f", "gift"], ["--format=qti"], ["--format", "moodle", "--lang", "zh"], ["--lang=en", "-f", "gift"],
])
def test_the_fast_path_writes_and_prints_what_the_typer_command_does(options: list[str], key: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fast_out, typer_out = tmp_path / "fast" / "bank.out", tmp_path / "typer" / "bank.out"
    assert _fast.run_fast(["export", str(key), *options, "--out", str(fast_out)])
    fast = capsys.readouterr()
    result = runner.invoke(app, ["export", str(key), *options, "--out", str(typer_out)])
    assert result.exit_code == 0, result.output
    assert fast.out == result.stdout.replace(str(typer_out), str(fast_out)) and fast.err == ""
    assert fast_out.read_bytes() == typer_out.read_bytes()


@pytest.mark.parametrize("args", [
    ["--help"], ["--format", "moodle"], ["--out", "x.xml"], ["--format", "docx", "--out", "x"], ["--format", "moodle", "--out", ""],
    ["--format", "moodle", "--out", "x", "--seed", "1"], ["--format", "moodle", "--out", "x", "--lang", "fr"],
    ["--format", "moodle", "--format", "gift", "--out", "x"], ["-f=moodle", "--out", "x"], ["--format", "--out", "x"],
])
def test_what_it_does_not_handle_goes_back_to_typer(args: list[str], key: Path, tmp_path: Path) -> None:
    assert not _fast.run_fast(["export", str(key), *args])
    assert not _fast.run_fast(["export", "conv-basics", "--seed", "1", "--count", "2", "--format", "moodle", "--out", "x"])
    assert list(tmp_path.iterdir()) == [key]  # nothing written


def test_an_error_goes_back_to_typer_with_nothing_written(tmp_path: Path) -> None:
    broken = tmp_path / "key.json"
    broken.write_text("{", encoding="utf-8")
    assert not _fast.run_fast(["export", str(broken), "--format", "moodle", "--out", str(tmp_path / "x.xml")])
    assert not _fast.run_fast(["export", str(tmp_path / "none.json"), "--format", "moodle", "--out", str(tmp_path / "x.xml")])
    assert not (tmp_path / "x.xml").exists()


def test_a_key_export_imports_no_cli_framework(key: Path, tmp_path: Path) -> None:
    done, modules = imported_by("export", str(key), "--format", "moodle", "--out", str(tmp_path / "x.xml"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"wrote {tmp_path / 'x.xml'} (moodle, ")
    assert not {"typer", "click", "pydantic"} & {m.split(".")[0] for m in modules}
