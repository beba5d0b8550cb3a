"""Control characters XML cannot carry are refused where they are read (banks, specs, rosters).

A bank prompt written "Hi\\x0b there" or a roster id with a stray vertical tab gave a Moodle XML file
that does not parse (`not well-formed (invalid token)`), which Moodle refuses to import.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.controlchars import control_character, escaped_control_character

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


@pytest.mark.parametrize(("text", "found"), [
    ('"a\\u000bb"', (1, 3, "the control character U+000B")),
    ('{\n "a": "\\u001F"}', (2, 8, "the control character U+001F")),
    ('"\\\\\\u0001"', (1, 4, "the control character U+0001")),  # an escaped backslash, then the escape
    ('"\\ud83d x"', (1, 2, "a lone surrogate U+D83D")),
    ('"x\\ude00"', (1, 3, "a lone surrogate U+DE00")),
    ('"\\uFFFE"', (1, 2, "the noncharacter U+FFFE")),
    ('"ok\\u0009\\u000a\\u000D"', None),  # tab and line breaks
    ('"\\\\u000b"', None),  # a backslash and the letters u000b
    ('"\\ud83d\\ude00 \\u00e9 \\u4e2d"', None),  # a surrogate pair, other escapes
])
def test_a_hand_edited_key_for_export_names_where_its_escaped_control_character_is(text: str, found: tuple[int, int, str] | None) -> None:
    result = escaped_control_character(text)
    if found is None:
        assert result is None
    else:
        assert result is not None and result[:2] == found[:2] and result[2].startswith(f"a string holds {found[2]} ")


def test_exporting_a_key_with_an_escaped_control_character_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o"
    assert CliRunner().invoke(app, ["generate", "conv-basics", "--seed", "1", "--count", "2", "--format", "key", "--out", str(out)]).exit_code == 0
    key = out / "key.json"
    text = key.read_text(encoding="utf-8")
    key.write_text(text.replace("How many", "How\\u000b many", 1), encoding="utf-8")
    column = text.index("How many") + len("How") + 1  # where the escape starts, counted from 1
    for fmt in ("moodle", "gift", "qti"):
        result = CliRunner().invoke(app, ["export", str(key), "--format", fmt, "--out", str(tmp_path / f"x.{fmt}")])
        assert result.exit_code == 1 and not (tmp_path / f"x.{fmt}").exists()
        assert result.output == (f"error: {key} line 1 column {column}: a string holds the control character U+000B (written \\u000b), "
                                 "which Moodle XML and QTI cannot carry; remove it\n")
    # Grading and rendering never put the key in an XML file: they read it as before.
    assert CliRunner().invoke(app, ["key", str(key)]).exit_code == 0
