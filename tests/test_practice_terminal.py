"""`quizgen practice` on a real pseudo-terminal (pexpect), and through CliRunner for the edges.

With ``--topic conv`` and the bank's params question alone, every round asks the same fixed
question (answer 18207, forgot_bias 18144), so the script below knows what to type.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from test_practice_drill import write_practice_bank
from typer.testing import CliRunner

from quizgen.cli import app

ROOT = Path(__file__).resolve().parent.parent
PROMPT = "answer ›"

pexpect = pytest.importorskip("pexpect", reason="pexpect drives the drill on a pseudo-terminal (pip install -e '.[test]')")

ONE_QUESTION_BANK = """\
title: One question
questions:
  - id: conv-params
    kind: params
    topic: conv
    points: 2
    network: {framework: keras, input_shape: [26, 26, 32], layers: [{Conv2D: {filters: 63, kernel_size: 3}}]}
    layer: 0
  - id: summary
    kind: summary
    topic: full-model
    network: {framework: keras, input_shape: [4], layers: [{Dense: {units: 2}}]}
"""


@pytest.fixture
def one_question(tmp_path: Path) -> Path:
    path = tmp_path / "one.yaml"
    path.write_text(ONE_QUESTION_BANK, encoding="utf-8")
    return path


def _spawn(*args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200", "LINES": "50"}
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-m", "quizgen", "practice", *args], cwd=str(ROOT), env=env, encoding="utf-8",
                         timeout=60, dimensions=(50, 200))


def _until_prompt(child: pexpect.spawn) -> str:
    child.expect_exact(PROMPT)
    return _plain(child.before)


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)  # the drill colours its output on a terminal


def test_drill_on_a_terminal(one_question: Path) -> None:
    child = _spawn(str(one_question), "--topic", "conv", "--seed", "3")
    try:
        shown = _until_prompt(child)
        assert "Question 1" in shown and "How many parameters does layer 1 (conv2d, Conv2D) have?" in shown
        assert "layers.Conv2D(63, kernel_size=3)" in shown  # the network as real code
        assert "\x1b[" in child.before  # a terminal gets colours

        child.sendline("hint")
        assert "C_out·(K_h·K_w·C_in + 1)" in _until_prompt(child)

        child.sendline("twenty")  # garbage: the parser's format message, and the same question again
        shown = _until_prompt(child)
        assert "could not read the answer" in shown and "expected a whole number like 18207" in shown
        assert "Question 2" not in shown

        child.sendline("18207")
        shown = _until_prompt(child)
        assert "✓ correct" in shown
        assert "C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207" in shown  # the worked solution
        assert "Question 2" in shown

        child.sendline("18,144")
        shown = _until_prompt(child)
        assert "known mistake: forgot_bias" in shown
        assert "you left out the bias terms" in shown  # the mistake's explanation
        assert "Question 3" in shown

        child.sendline("skip")
        shown = _until_prompt(child)
        assert "skipped" in shown and "The answer: 18207" in shown and "Question 4" in shown

        child.sendeof()  # Ctrl-D
        child.expect(pexpect.EOF)
        summary = _plain(child.before)
    finally:
        child.close()
    assert child.exitstatus == 0, summary
    assert "Traceback" not in summary
    assert "Practice summary" in summary
    assert "questions: 3 (answered 2, skipped 1)" in summary
    assert "correct 1 · known mistakes 1 · other wrong answers 0" in summary
    assert "score: 2 of 6 points (33%)" in summary
    assert re.search(r"forgot_bias\s+×1\s+\S", summary)  # by code, with its title


@pytest.mark.parametrize("how", ["ctrl-c", "quit"])
def test_drill_ends_cleanly(one_question: Path, how: str) -> None:
    child = _spawn(str(one_question), "--topic", "conv", "--seed", "3")
    try:
        _until_prompt(child)
        child.sendline("18144")
        _until_prompt(child)
        if how == "ctrl-c":
            child.sendintr()
        else:
            child.sendline("quit")
        child.expect(pexpect.EOF)
        summary = _plain(child.before)
    finally:
        child.close()
    assert child.exitstatus == 0, summary
    assert "Traceback" not in summary and "KeyboardInterrupt" not in summary
    assert "questions: 1 (answered 1, skipped 0)" in summary and "forgot_bias" in summary


def test_drill_in_chinese_without_a_terminal(one_question: Path) -> None:
    result = CliRunner().invoke(app, ["practice", str(one_question), "--topic", "conv", "--seed", "3", "--lang", "zh"],
                                input="提示\n18207\n")
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output  # no colour codes when the output is not a terminal
    assert "有多少个参数" in result.output
    assert "正确" in result.output and "练习小结" in result.output and "解题过程" in result.output


def test_unknown_topic_is_a_usage_error(one_question: Path) -> None:
    result = CliRunner().invoke(app, ["practice", str(one_question), "--topic", "attention"])
    assert result.exit_code == 2
    message = " ".join(result.output.replace("│", " ").split())  # typer draws usage errors in a box
    assert "unknown topic 'attention'; the banks have: conv, full-model" in message


def test_topic_with_nothing_to_drill_is_bad_input(one_question: Path) -> None:
    result = CliRunner().invoke(app, ["practice", str(one_question), "--topic", "full-model"])
    assert result.exit_code == 1
    assert "no question of topic full-model can be drilled" in result.output


def test_default_is_every_shipped_bank(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["practice", "--seed", "1"], input="quit\n")
    assert result.exit_code == 0, result.output
    assert "Question 1" in result.output and "Practice summary" in result.output


def test_practice_bank_runs_too(tmp_path: Path) -> None:
    bank = write_practice_bank(tmp_path)
    result = CliRunner().invoke(app, ["practice", str(bank), "--seed", "2"], input="skip\n" * 12)
    assert result.exit_code == 0, result.output
    assert "questions: 12 (answered 0, skipped 12)" in result.output
