"""Worksheets and LMS exports write code for their networks but read none (issue 15): the code reader
(about 20 ms of imports) is loaded only when a command reads model code."""

from __future__ import annotations

from pathlib import Path

from test_startup import imported_by

BANK = str(Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml")


def test_generating_worksheets_and_exporting_them_import_no_code_reader(tmp_path: Path) -> None:
    done, modules = imported_by("generate", BANK, "--seed", "3", "--count", "2", "--format", "key,html", "--out", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert {"quizgen.codeio", "quizgen.codeio.writer"} <= modules and "quizgen.codeio.reader" not in modules
    done, modules = imported_by("export", str(tmp_path / "o" / "key.json"), "--format", "moodle", "--out", str(tmp_path / "m.xml"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "quizgen.codeio.writer" in modules and "quizgen.codeio.reader" not in modules


def test_the_package_still_offers_the_reader_and_the_writer() -> None:
    import quizgen.codeio as codeio
    from quizgen.codeio.reader import read_model_code
    from quizgen.codeio.writer import write_model_code

    assert codeio.read_model_code is read_model_code and codeio.write_model_code is write_model_code
    assert {"ReadModel", "read_model_code", "write_model_code"} <= set(dir(codeio))
