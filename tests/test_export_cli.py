"""`quizgen export` through the command line, including bad input."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from test_export_support import SEED, SMALL_BANK, small_exam
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.exam import write_key
from quizgen.lms import LmsFormat, export_exam

runner = CliRunner()


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "key.json"
    write_key(small_exam(), path)
    return path


@pytest.mark.parametrize("fmt", list(LmsFormat))
def test_export_from_a_key_equals_the_library_output(key: Path, tmp_path: Path, fmt: LmsFormat) -> None:
    out = tmp_path / f"out.{fmt.value}"
    result = runner.invoke(app, ["export", str(key), "--format", fmt.value, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == export_exam(small_exam(), fmt)
    assert "question groups" in result.output and "from 4 variants" in result.output


def test_export_from_a_bank_generates_the_variants(tmp_path: Path) -> None:
    out = tmp_path / "bank.zip"
    result = runner.invoke(app, ["export", str(SMALL_BANK), "--seed", str(SEED), "--count", "4", "--format", "qti", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == export_exam(small_exam(), LmsFormat.QTI)
    assert zipfile.ZipFile(out).testzip() is None


def test_lang_zh(key: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh.gift"
    result = runner.invoke(app, ["export", str(key), "--format", "gift", "--lang", "zh", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "有多少个参数" in out.read_text(encoding="utf-8")


def test_missing_key_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path / "nope.json"), "--format", "moodle", "--out", str(tmp_path / "x.xml")])
    assert result.exit_code == 1
    assert "nope.json" in result.output and "no such file" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.xml").exists()


def test_broken_key_names_the_problem(tmp_path: Path) -> None:
    bad = tmp_path / "key.json"
    bad.write_text(json.dumps({"exam": {}, "variants": [{"student_id": "S1", "questions": [{"id": "q"}]}]}), encoding="utf-8")
    result = runner.invoke(app, ["export", str(bad), "--format", "gift", "--out", str(tmp_path / "x.gift")])
    assert result.exit_code == 1
    assert "key.json" in result.output and "variant 1" in result.output


@pytest.mark.parametrize("args", [
    ["--seed", "1"],  # a key already holds its exam
    ["--count", "3"],
])
def test_bank_options_with_a_key_are_a_usage_error(key: Path, tmp_path: Path, args: list[str]) -> None:
    result = runner.invoke(app, ["export", str(key), "--format", "gift", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code == 2


def test_a_bank_needs_seed_and_count(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(SMALL_BANK), "--format", "gift", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "--seed" in result.output


def test_unknown_format_is_a_usage_error(key: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(key), "--format", "pdf", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2


def test_bad_bank_is_one_line_and_exit_1(tmp_path: Path) -> None:
    bank = tmp_path / "bad.yaml"
    bank.write_text("title: {en: x}\nquestions:\n  - id: q\n    kind: nonsense\n", encoding="utf-8")
    result = runner.invoke(app, ["export", str(bank), "--seed", "1", "--count", "2", "--format", "moodle", "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "bad.yaml" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", list(LmsFormat))
def test_the_groups_are_worked_out_once(key: Path, tmp_path: Path, fmt: LmsFormat, monkeypatch: pytest.MonkeyPatch) -> None:
    """The export and its summary line share one `exam_groups` (a 3000-question class took 0.1 s a time; issue 15)."""
    from quizgen.lms import gift, groups, moodle_xml, qti

    calls: list[object] = []
    real = groups.exam_groups

    def counted(exam: object) -> object:
        calls.append(exam)
        return real(exam)  # type: ignore[arg-type]

    for module in (groups, moodle_xml, gift, qti):
        monkeypatch.setattr(module, "exam_groups", counted)
    result = runner.invoke(app, ["export", str(key), "--format", fmt.value, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
