"""Control characters XML cannot carry are refused where they are read (banks, specs, rosters).

A bank prompt written "Hi\\x0b there" or a roster id with a stray vertical tab gave a Moodle XML file
that does not parse (`not well-formed (invalid token)`), which Moodle refuses to import.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.controlchars import control_character

BANK = ('title: "{title}"\nquestions:\n  - id: q\n    kind: params\n    prompt: "{prompt}"\n'
        "    network: {{framework: keras, input_shape: [8], layers: [{{Dense: {{units: 4}}}}]}}\n    layer: 0\n")


@pytest.mark.parametrize(("title", "prompt", "line", "code"), [
    ("T\\x01", "How many? {{n}}", 1, "U+0001"),
    ("T", "Hi\\x0b there {{n}}", 5, "U+000B"),
    ("T", "\\ud800 {{n}}", 5, "U+D800"),
])
def test_a_bank_text_with_a_control_character_is_refused(tmp_path: Path, title: str, prompt: str, line: int, code: str) -> None:
    bank = tmp_path / "b.yaml"
    bank.write_text(BANK.format(title=title, prompt=prompt), encoding="utf-8")
    result = CliRunner().invoke(app, ["generate", str(bank), "--seed", "1", "--count", "1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert f"b.yaml line {line}: the text" in result.output and f"control character {code}" in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("rows", "message"), [
    ("id,name\nS\x0b1,Ann\n", "row 2: column 'id': the text 'S\\x0b1' holds the control character U+000B"),
    ("id,name\nS1,Ann\nS2,Bob\x01\n", "row 3: column 'name': the text 'Bob\\x01' holds the control character U+0001"),
    ("id,first name,last name\nS1,Ann\x02,Lee\n", "row 2: column 'first name'"),
    ("id,email\nS1,a\x0c@b.c\n", "row 2: column 'email'"),
])
def test_a_roster_cell_with_a_control_character_is_refused(tmp_path: Path, rows: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(rows, encoding="utf-8")
    result = CliRunner().invoke(app, ["generate", "conv-basics", "--seed", "1", "--roster", str(roster), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert message in result.output


def test_tabs_line_breaks_and_other_text_are_kept() -> None:
    assert control_character("a\tb\nc\r 卷积 😀 \x7f \u200b") is None
    assert control_character("a\x00") is not None
