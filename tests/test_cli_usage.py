"""Exit codes over every command: a usage error (an unknown option value, options that do not go
together, a missing required option) exits 2 with a message naming the option; bad input exits 1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"
SPEC = str(FIXTURES / "specs" / "seed001-mnist.yaml")


@pytest.fixture(scope="module")
def exam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exam")
    assert runner.invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "2", "--out", str(out)]).exit_code == 0
    (out / "roster.csv").write_text("student_id\nA1\n", encoding="utf-8")
    (out / "responses.csv").write_text("student_id\nS001\n", encoding="utf-8")
    return out


GEN = ["generate", "conv-basics", "--seed", "1"]
# (command line with {exam} for the exam folder, a word the message must contain)
USAGE_ERRORS = [
    ([*GEN, "--count", "1", "--out", "{exam}/x", "--lang", "fr"], "--lang"),
    ([*GEN, "--count", "1", "--out", "{exam}/x", "--format", "key,docx"], "docx"),
    ([*GEN, "--count", "1", "--roster", "{exam}/roster.csv", "--out", "{exam}/x"], "--roster"),
    ([*GEN, "--out", "{exam}/x"], "--count"),
    ([*GEN, "--count", "0", "--out", "{exam}/x"], "--count"),
    ([*GEN, "--count", "1", "--out", "{exam}/x", "--shard", "3/2"], "--shard"),
    ([*GEN, "--count", "1", "--out", "{exam}/x", "--paper", "a3"], "--paper"),
    (["generate", "conv-basics", "--count", "1", "--out", "{exam}/x"], "--seed"),
    (["render", "{exam}", "--lang", "fr"], "--lang"),
    (["render", "{exam}", "--format", "docx"], "--format"),
    (["render", "{exam}", "--shard", "0/2"], "--shard"),
    (["render", "{exam}", "--jobs", "0"], "--jobs"),
    (["solve", SPEC, "--lang", "fr"], "--lang"),
    (["solve", SPEC, "--format", "yaml"], "--format"),
    (["solve", SPEC, "--input-shape", "a,b"], "--input-shape"),
    (["mistakes", "--lang", "fr"], "--lang"),
    (["export", "{exam}/key.json", "--format", "docx", "--out", "{exam}/x.xml"], "--format"),
    (["export", "{exam}/key.json", "--format", "moodle", "--out", "{exam}/x.xml", "--seed", "3"], "--seed"),
    (["export", "conv-basics", "--format", "moodle", "--out", "{exam}/x.xml"], "--seed"),
    (["grade", "{exam}/key.json", "{exam}/responses.csv", "--out", "{exam}/g", "--format", "xlsx"], "--format"),
    (["grade", "{exam}/key.json", "{exam}/responses.csv", "--out", "{exam}/g", "--mistake-credit", "2"], "--mistake-credit"),
    (["grade", "{exam}/key.json", "{exam}/responses.csv", "--out", "{exam}/g", "--lang", "fr"], "--lang"),
    (["grade", "{exam}/key.json", "{exam}/responses.csv"], "--out"),
    (["practice", "--lang", "fr"], "--lang"),
    (["practice", "--topic", "quantum"], "--topic"),
    (["bank", "from-code", SPEC], "--out"),
    (["bank", "check"], "BANK"),
    (["bank", "nonsense"], "nonsense"),
    (["nonsense"], "nonsense"),
    (["solve", SPEC, "--no-such-option"], "--no-such-option"),
]


@pytest.mark.parametrize(("args", "word"), USAGE_ERRORS, ids=[" ".join(a[:2]) + " " + w for a, w in USAGE_ERRORS])
def test_usage_errors_exit_2(exam: Path, args: list[str], word: str) -> None:
    result = runner.invoke(app, [a.replace("{exam}", str(exam)) for a in args])
    assert result.exit_code == 2, f"exit {result.exit_code}: {result.output}"
    assert word in result.output
    assert "Traceback" not in result.output
    assert "Value error" not in result.output, "the validator's prefix stays inside typer"
    assert not (exam / "x").exists() and not (exam / "g").exists() and not (exam / "x.xml").exists(), "nothing written"


def test_a_bad_choice_names_the_choices_plainly() -> None:
    result = runner.invoke(app, ["solve", SPEC, "--lang", "fr"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (2, "Error: Invalid value for '--lang': 'fr' is not one of 'en', 'zh'.")


def test_every_command_is_covered() -> None:
    commands = {args[0] for args, _ in USAGE_ERRORS}
    assert {"generate", "render", "solve", "mistakes", "export", "grade", "practice", "bank"} <= commands


BAD_INPUT = [
    (["solve", "{exam}/no-such.yaml"], "no-such.yaml"),
    (["render", "{exam}/missing"], "missing"),
    (["grade", "{exam}/no-key.json", "{exam}/responses.csv", "--out", "{exam}/g"], "no-key.json"),
    (["generate", "no-such-bank", "--seed", "1", "--count", "1", "--out", "{exam}/x"], "no-such-bank"),
]


@pytest.mark.parametrize(("args", "word"), BAD_INPUT, ids=[" ".join(a[:2]) for a, _ in BAD_INPUT])
def test_bad_input_exits_1(exam: Path, args: list[str], word: str) -> None:
    result = runner.invoke(app, [a.replace("{exam}", str(exam)) for a in args])
    assert result.exit_code == 1, f"exit {result.exit_code}: {result.output}"
    assert word in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, "one line"


@pytest.mark.parametrize("command", [[], ["generate"], ["render"], ["solve"], ["export"], ["grade"], ["practice"],
                                     ["mistakes"], ["bank"], ["bank", "check"], ["bank", "from-code"]])
def test_help_shows_no_type_beside_flags(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "<bool>" not in result.output


EMPTY_OUT = [
    ["generate", "conv-basics", "--seed", "1", "--count", "1", "--out", ""],  # the fast path's kind of command line
    ["generate", "conv-basics", "--seed", "1", "--count", "1", "--format", "key,pdf", "--out", ""],
    ["export", "{exam}/key.json", "--format", "gift", "--out", ""],
    ["grade", "{exam}/key.json", "{exam}/responses.csv", "--out", ""],
    ["key", "{exam}/key.json", "--out", ""],
    ["bank", "from-code", SPEC, "--out", " "],
]


@pytest.mark.parametrize("args", EMPTY_OUT, ids=[" ".join(a[:2]) for a in EMPTY_OUT])
def test_an_empty_out_is_a_usage_error_and_writes_nothing(exam: Path, tmp_path: Path, args: list[str]) -> None:
    """Path('') is the current folder: an empty --out (an unset shell variable) must not write there."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "quizgen", *(a.replace("{exam}", str(exam)) for a in args)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Invalid value for '--out': an empty path" in result.stderr
    assert list(tmp_path.iterdir()) == []
