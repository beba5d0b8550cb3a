"""Messages as a reader sees them: counts with the noun in the right number, scores rounded as
people write them, aligned summary columns, suggestions for a misspelled bank, no raw OS errors."""

from __future__ import annotations

import re
from pathlib import Path

from rich.console import Console
from test_practice_drill import write_practice_bank
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.grading.model import Verdict
from quizgen.i18n import amount, number
from quizgen.mistakes import layer_mistakes
from quizgen.mistakes.model import Quantity
from quizgen.practice.drill import DrillSession, drill_templates
from quizgen.practice.terminal import _show_grade
from quizgen.solver import solve
from quizgen.spec import parse_spec

runner = CliRunner()


def test_number_and_amount() -> None:
    assert [number(v) for v in (2 / 3, 1.0, 1234567, 0.5, 2.005)] == ["0.67", "1", "1,234,567", "0.5", "2"]
    assert [amount(1, "student"), amount(30, "student"), amount(1.0, "point"), amount(2 / 3, "point")] == [
        "1 student", "30 students", "1 point", "0.67 points"]


def test_practice_partial_credit_reads_as_people_write_it(tmp_path: Path) -> None:
    session = DrillSession(drill_templates([load_bank(write_practice_bank(tmp_path))], ["shapes"]), seed=1)
    while (rnd := session.next_round()) is not None and rnd.question.id != "torch-shape":
        session.skip(rnd)
    assert rnd is not None
    grade = session.answer(rnd, "[8, 15, 16]")  # two of three sizes right, of 1 point
    assert grade.verdict is not Verdict.CORRECT and 0 < grade.score < 1
    console = Console(record=True, width=200)
    _show_grade(console, rnd, grade, "en")
    text = console.export_text()
    assert "(+0.67 of 1 point)" in text, text.splitlines()[0]
    assert not re.search(r"\d\.\d{3,}", text.splitlines()[0])


def test_generate_summary_counts_and_columns(tmp_path: Path) -> None:
    bank = tmp_path / "long.yaml"
    bank.write_text(
        "title: Long ids\nquestions:\n"
        "  - id: a-rather-long-template-id-that-runs-past-the-old-column\n    kind: params\n    points: 0.5\n"
        "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: 2, kernel_size: 3}}]}\n    layer: 0\n"
        "  - id: short\n    kind: params\n    points: 0.5\n"
        "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: 2, kernel_size: 3}}]}\n    layer: 0\n",
        encoding="utf-8")
    result = runner.invoke(app, ["generate", str(bank), "--seed", "1", "--count", "1", "--out", str(tmp_path / "exam")])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1 student × 2 questions, 1 point," in out
    assert "1 students" not in out and "1 points" not in out and "(1 files)" not in out and "(1 file)" in out
    rows = [line for line in out.splitlines() if "distinct variant" in line]
    assert len(rows) == 2 and len({line.index("distinct") for line in rows}) == 1, rows
    assert all("1 distinct variant " in line for line in rows)


def test_simple_rnn_has_one_weight_block() -> None:
    model = solve(parse_spec({"framework": "keras", "input_shape": [10, 8], "layers": [{"SimpleRNN": {"units": 4}}]}, source=None))
    texts = [m.explanation["en"] for m in layer_mistakes(model, 0, Quantity("params"), model.layers[0].params, pairs=False)
             if m.code == "rnn_gate_count"]
    assert texts and all("1 weight blocks" not in text and "1 weight block (no gates)" in text for text in texts)
    texts_zh = [m.explanation["zh"] for m in layer_mistakes(model, 0, Quantity("params"), model.layers[0].params, pairs=False)
                if m.code == "rnn_gate_count"]
    assert texts_zh and all("各个门" not in text and "1 组权重(没有门)" in text for text in texts_zh)


def test_misspelled_bank_name_suggests_the_shipped_one(tmp_path: Path) -> None:
    result = runner.invoke(app, ["generate", "conv-basic", "--seed", "1", "--count", "1", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "did you mean 'conv-basics'?" in result.output
    result = runner.invoke(app, ["bank", "check", "zzz"])
    assert result.exit_code == 1 and "conv-basics" in result.output, "no close name: the shipped banks are listed"


def test_render_of_a_file_says_what_dir_is(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["render", str(afile)])
    assert result.exit_code == 1 and "Errno" not in result.output and "is a file" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_conv_basics_instructions_say_what_to_write() -> None:
    text = load_bank("conv-basics").instructions["en"]
    assert "exclude nothing" not in text and "None" in text
