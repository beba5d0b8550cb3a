"""Generation: determinism, per-student independence, rosters, bank validation with file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.errors import BankError, QuizgenError
from quizgen.exam import exam_to_json, load_key
from quizgen.generate import generate_exam
from quizgen.roster import Student, read_roster

runner = CliRunner()
BANKS = sorted(p.stem for p in (Path(__file__).parent.parent / "banks").glob("*.yaml"))


def generate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["generate", *args])
    return result.exit_code, result.stdout + result.stderr


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    for out in ("a", "b"):
        code, text = generate("conv-basics", "recurrent", "--seed", "7", "--count", "12", "--out", str(tmp_path / out))
        assert code == 0, text
    assert (tmp_path / "a" / "key.json").read_bytes() == (tmp_path / "b" / "key.json").read_bytes()


def test_another_seed_changes_the_exam(tmp_path: Path) -> None:
    generate("conv-basics", "--seed", "1", "--count", "3", "--out", str(tmp_path / "a"))
    generate("conv-basics", "--seed", "2", "--count", "3", "--out", str(tmp_path / "b"))
    assert (tmp_path / "a" / "key.json").read_bytes() != (tmp_path / "b" / "key.json").read_bytes()


def test_adding_or_reordering_students_changes_no_one_else() -> None:
    banks = [load_bank("conv-basics"), load_bank("pooling-and-shapes")]
    students = [Student(f"u{i}", f"Student {i}") for i in range(8)]
    before, _ = generate_exam(banks, 5, students)
    after, _ = generate_exam(banks, 5, [Student("new", "New"), *reversed(students)])
    old = {v.student_id: exam_to_json(before)["variants"][i] for i, v in enumerate(before.variants)}
    for i, variant in enumerate(after.variants):
        if variant.student_id != "new":
            assert exam_to_json(after)["variants"][i] == old[variant.student_id]


def test_key_json_contract_and_round_trip(tmp_path: Path) -> None:
    code, text = generate("seed-examples", "--seed", "1", "--count", "2", "--out", str(tmp_path))
    assert code == 0, text
    # key.json is compact (tests/test_keyformat.py); `quizgen key` prints the full form of DESIGN.md.
    shown = runner.invoke(app, ["key", str(tmp_path / "key.json")])
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert {"quizgen_version", "exam", "variants"} <= set(data)
    question = data["variants"][0]["questions"][0]
    assert {"id", "kind", "points", "spec", "layer", "answer", "mistakes"} <= set(question)
    assert set(question["spec"]) == {"framework", "input_shape", "layers"}
    assert {"code", "value", "explanation"} <= set(question["mistakes"][0])
    exam = load_key(tmp_path / "key.json")
    assert exam_to_json(exam) == data


def test_seed001_question_knows_630() -> None:
    exam, _ = generate_exam([load_bank("seed-examples")], 1, [Student("a")])
    question = next(q for q in exam.variants[0].questions if q.id == "seed001-conv2-params")
    assert question.answer == 18207
    assert "forgot_input_channels" in next(m for m in question.mistakes if m.value == 630).codes


@pytest.mark.parametrize("bank", BANKS)
def test_every_stored_mistake_differs_from_the_answer(bank: str) -> None:
    exam, _ = generate_exam([load_bank(bank)], 3, [Student(f"s{i}") for i in range(15)])
    for variant in exam.variants:
        for question in variant.questions:
            for mistake in question.mistakes:
                if question.kind.value == "summary":
                    continue  # summary mistakes belong to cells, checked below
                assert mistake.value != question.answer, (question.id, mistake)
            if question.kind.value == "summary":
                for mistake in question.mistakes:
                    if mistake.cell.endswith(".params"):
                        row = question.answer["rows"][int(mistake.cell.split(".")[0])]
                        assert mistake.value != row["params"]


def test_roster_with_names_bom_and_gb18030(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_bytes("学号,姓名\n2024001,张三\n2024002,李四\n".encode("gb18030"))
    assert read_roster(roster) == [Student("2024001", "张三"), Student("2024002", "李四")]
    roster.write_bytes("\ufeffstudent_id,First name,Last name\nab1,Ada,Lovelace\n".encode())
    assert read_roster(roster) == [Student("ab1", "Ada Lovelace")]
    roster.write_text('student_id,name,Email\n2026002,"O\'Brien, Seán",ob@example.edu\n', encoding="utf-8")
    assert read_roster(roster) == [Student("2026002", "O'Brien, Seán", "ob@example.edu")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name\nAda\n", "row 1: no student id column"),
        ("name,email\nAda,ada@example.edu\n", "row 1: no student id column (student_id, id, 学号); to identify students by their "
                                              "email, rename the column 'email' to student_id"),
        ("student_id,name\na,Ada\n,Bob\n", "row 3: column 'student_id': empty student id"),
        ("student_id,name\na,Ada\na,Bob\n", "row 3: column 'student_id': student id 'a' repeats row 2"),
    ],
)
def test_bad_rosters(tmp_path: Path, text: str, message: str) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(text)
    code, output = generate("conv-basics", "--seed", "1", "--roster", str(roster), "--out", str(tmp_path / "o"))
    assert code == 1
    assert message in output and "Traceback" not in output


BROKEN = {
    "range allows an invalid kernel": (
        "questions:\n  - id: q\n    kind: params\n    params:\n      k: {range: [0, 3]}\n    network:\n      framework: keras\n"
        "      input_shape: [8, 8, 1]\n      layers:\n        - Conv2D: {filters: 4, kernel_size: $k}\n    layer: 0\n",
        "line 10: question q (keras): layer 1 Conv2D: kernel_size: range 0..3 (parameter k) allows 0"),
    "unknown layer": (
        "questions:\n  - id: q\n    kind: params\n    network:\n      framework: pytorch\n      input_shape: [3, 8, 8]\n"
        "      layers:\n        - Conv2D: {out_channels: 4, kernel_size: 3}\n    layer: 0\n",
        "line 8: question q (pytorch): layer 1: unknown pytorch layer 'Conv2D' (did you mean 'Conv2d'"),
    "unknown kind": ("questions:\n  - id: q\n    kind: parameters\n    network: {}\n", "line 3: question q: kind must be one of"),
    "unsafe expression": (
        "questions:\n  - id: q\n    kind: params\n    params:\n      k: {choice: [3]}\n      p: {expr: \"__import__('os')\"}\n"
        "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: 4, kernel_size: $k}}]}\n    layer: 0\n",
        "line 6: question q: params: p: only min(), max() and abs() may be called"),
    "undefined parameter": (
        "questions:\n  - id: q\n    kind: params\n    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: $f, kernel_size: 3}}]}\n"
        "    layer: 0\n", "line 4: question q: network uses undefined parameter $f"),
    "unsatisfiable constraint": (
        "questions:\n  - id: q\n    kind: params\n    params:\n      k: {choice: [3, 5]}\n    where: [\"k > 7\"]\n"
        "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: 4, kernel_size: $k}}]}\n    layer: 0\n",
        "line 2: question q: no valid variant in 500 draws"),
    "yaml syntax": ("questions:\n  - id: q\n    kind: [params\n", "line 4 column 1: invalid YAML"),
    "question id read as student details": (
        "questions:\n  - id: q\n    kind: total_params\n    network: {framework: keras, input_shape: [8], layers: [{Dense: {units: 2}}]}\n"
        "  - id: Score\n    kind: total_params\n    network: {framework: keras, input_shape: [8], layers: [{Dense: {units: 2}}]}\n",
        "line 5: question Score: id 'Score' is a column title responses files use for the student, not an answer"),
    "layer out of range": (
        "questions:\n  - id: q\n    kind: params\n    network: {framework: keras, input_shape: [8], layers: [{Dense: {units: 2}}]}\n    layer: 3\n",
        "line 5: question q: layer 3 is outside the keras network's 1 layers"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_banks_name_file_and_line(tmp_path: Path, case: str) -> None:
    text, message = BROKEN[case]
    bank = tmp_path / "broken.yaml"
    bank.write_text(text)
    code, output = generate(str(bank), "--seed", "1", "--count", "2", "--out", str(tmp_path / "o"))
    assert code == 1, output
    assert f"{bank} {message}" in output or (str(bank) in output and message in output), output
    assert "Traceback" not in output


def test_bank_error_type() -> None:
    with pytest.raises(QuizgenError):
        load_bank("no-such-bank")
    assert issubclass(BankError, QuizgenError)


def test_space_too_small_is_reported(tmp_path: Path) -> None:
    bank = tmp_path / "tiny.yaml"
    bank.write_text("questions:\n  - id: q\n    kind: params\n    params:\n      f: {choice: [4, 8]}\n"
                    "    network: {framework: keras, input_shape: [8], layers: [{Dense: {units: $f}}]}\n    layer: 0\n")
    code, output = generate(str(bank), "--seed", "1", "--count", "5", "--out", str(tmp_path / "o"))
    assert code == 0
    assert "at most 2 different variants for 5 questions" in output


def test_bank_check_lists_shipped_banks() -> None:
    result = CliRunner().invoke(app, ["bank", "check", "conv-basics", "inverse"])
    assert result.exit_code == 0, result.output
    assert "conv-basics:" in result.output and "inverse:" in result.output


def test_bank_check_keeps_its_columns_with_long_ids(tmp_path: Path) -> None:
    """Ids longer than 32 characters (bank from-code writes `kuangliu-resnet-layer1.0.conv1-params`) pushed their row's columns right."""
    network = "    network: {framework: keras, input_shape: [8], layers: [{Dense: {units: 4}}]}\n    layer: 0\n"
    bank = tmp_path / "b.yaml"
    bank.write_text("title: x\nquestions:\n  - id: q\n    kind: params\n" + network +
                    "  - id: " + "a-very-long-question-id-from-code-layer1.0.conv1" + "\n    kind: output_shape\n" + network, encoding="utf-8")
    result = CliRunner().invoke(app, ["bank", "check", str(bank)])
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()[1:]
    assert len(rows) == 2 and rows[0].index("space") == rows[1].index("space")


@pytest.mark.parametrize(("question", "message"), [
    ("kind: params", "line 3: question q: kind params needs a layer:"),
    ("kind: output_size\n    layer: 0\n    axis: Q", "axis 'Q'"),
])
def test_bank_check_fails_where_generate_would(tmp_path: Path, question: str, message: str) -> None:
    bank = tmp_path / "b.yaml"
    bank.write_text("title: x\nquestions:\n  - id: q\n    " + question + "\n"
                    "    network: {framework: keras, input_shape: [8, 8, 1], layers: [{Conv2D: {filters: 2, kernel_size: 3}}]}\n",
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["bank", "check", str(bank)])
    assert result.exit_code == 1
    assert "b.yaml" in result.output and message in result.output
