"""Round trip: what an LMS sends back grades with the right diagnoses.

A Moodle quiz "Responses" report (built in exactly Moodle's layout: UTF-8 with BOM, the
identity and timing columns, "Question i" -- the exported question's text, which names the
variant served -- and "Response i" per slot, cloze answers as "part 1: 26; part 2: 32", a last
"Overall average" row) whose answers are the mistake values stored in key.json is
graded by `quizgen grade`; every answer must come back as a `mistake` with its code.
The cloze part order is `quizgen.lms.cloze_parts`, the same order the export writes blanks.

Runs once `quizgen grade` exists (it is written separately); until then it is skipped.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fixtures.grading.lms_reports import exported_moodle_texts, moodle_summary
from test_export_support import SMALL_BANK
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.exam import Exam, Question, QuestionKind, write_key
from quizgen.generate import generate_exam
from quizgen.lms import LmsFormat, cloze_parts, export_exam
from quizgen.lms.groups import content_key, exam_groups
from quizgen.roster import Student

runner = CliRunner()
STUDENTS = [Student("ana.li@example.edu", "Ana Li"), Student("bo.wang@example.edu", "Bo Wang"),
            Student("chen.yu@example.edu", "Chen Yu")]


def _grade_available() -> bool:
    return any(command.name == "grade" for command in app.registered_commands)


pytestmark = pytest.mark.skipif(not _grade_available(), reason="quizgen grade is not available yet")


def _part_values(question: Question, wrong: dict[str, Any]) -> str:
    """A cloze response as Moodle's report writes it, with ``wrong`` overriding some cells."""
    values = []
    for key in cloze_parts(question):
        if key in wrong:
            values.append(wrong[key])
            continue
        if question.kind is QuestionKind.OUTPUT_SHAPE:
            values.append(question.answer[int(key.split(".")[1])])
        elif key.endswith(".params"):
            values.append(question.answer["rows"][int(key.split(".")[0])]["params"])
        elif ".shape." in key:
            row, _, dim = key.split(".")
            values.append(question.answer["rows"][int(row)]["output_shape"][int(dim)])
        else:
            values.append(question.answer[key])
    return "; ".join(f"part {i}: {'None' if v is None else v}" for i, v in enumerate(values, start=1))


def _mistaken_response(question: Question) -> tuple[str, set[str] | None]:
    """(response text, codes that diagnose it) for the first stored mistake; None: answer correctly."""
    if not question.mistakes:
        answer = question.answer[0] if isinstance(question.answer, list) else question.answer
        return str(answer), None
    if question.kind is QuestionKind.OUTPUT_SHAPE:
        mistake = next(m for m in question.mistakes if len(m.value) == len(question.answer))
        return _part_values(question, {f"shape.{i}": v for i, v in enumerate(mistake.value)}), set(mistake.codes)
    if question.kind is QuestionKind.SUMMARY:
        mistake = next(m for m in question.mistakes if m.cell.endswith(".params"))
        return _part_values(question, {mistake.cell: mistake.value}), set(mistake.codes)
    mistake = question.mistakes[0]
    return str(mistake.value), set(mistake.codes)


Expected = dict[tuple[str, str], tuple[str, set[str] | None]]  # (student, question) -> (template, codes; None: correct)


def _responses_csv(exam: Exam) -> tuple[bytes, Expected]:
    questions = exam.variants[0].questions
    header = ["Surname", "First name", "Institution", "Department", "Email address", "State", "Started on", "Completed",
              "Time taken", f"Grade/{sum(q.points for q in questions):.2f}"]
    header += [f"{column} {i}" for i in range(1, len(questions) + 1) for column in ("Question", "Response")]
    texts = exported_moodle_texts(exam)
    exported = {content_key(e.question): texts[e.name] for g in exam_groups(exam) for e in g.entries}
    expected: Expected = {}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for variant in exam.variants:
        first, last = variant.student_name.split(" ", 1)
        row = [last, first, "", "", variant.student_id, "Finished", "28 February 2021  9:26 PM", "28 February 2021  9:41 PM",
               "14 mins 57 secs", "0.00"]
        for question in variant.questions:
            text, codes = _mistaken_response(question)
            row += [moodle_summary(exported[content_key(question)]), text]
            expected[(variant.student_id, question.id)] = (question.template, codes)
        writer.writerow(row)
    writer.writerow(["Overall average", "", "", "", "", "", "", "", "", "0.00"] + ["" for _ in questions for _ in "QR"])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), expected


Graded = tuple[Expected, dict[tuple[str, str], dict[str, str]]]
BRANCHING_BANK = "residual-and-attention"  # graph networks: named layers, merges, shared layers, attention


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return _graded(tmp_path_factory, str(SMALL_BANK))


@pytest.fixture(scope="module")
def graded_branching(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    return _graded(tmp_path_factory, BRANCHING_BANK)


def _graded(tmp_path_factory: pytest.TempPathFactory, bank: str) -> Graded:
    """Grade one Moodle responses report once; (expected codes, feedback.csv rows) by (student, question)."""
    folder = tmp_path_factory.mktemp("roundtrip")
    exam, _ = generate_exam([load_bank(bank)], 11, STUDENTS)
    write_key(exam, folder / "key.json")
    (folder / "bank.xml").write_bytes(export_exam(exam, LmsFormat.MOODLE))  # what the students answered
    data, expected = _responses_csv(exam)
    (folder / "responses.csv").write_bytes(data)
    result = runner.invoke(app, ["grade", str(folder / "key.json"), str(folder / "responses.csv"), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO((folder / "out" / "feedback.csv").read_text(encoding="utf-8-sig")))
    return expected, {(r["student_id"], r["question"]): r for r in rows}


_TEMPLATES = [t.id for t in load_bank(SMALL_BANK).templates]


@pytest.mark.parametrize("template", _TEMPLATES)
def test_moodle_responses_with_stored_mistakes_grade_with_their_diagnoses(graded: Graded, template: str) -> None:
    _check_template(graded, template)


@pytest.mark.parametrize("template", [t.id for t in load_bank(BRANCHING_BANK).templates])
def test_branching_networks_round_trip_through_moodle(graded_branching: Graded, template: str) -> None:
    """The residual/attention bank's questions (layers named block.proj, merges, shared layers) grade like any other."""
    _check_template(graded_branching, template)


def _check_template(graded: Graded, template: str) -> None:
    expected, rows = graded
    cases = [(key, codes) for key, (of, codes) in expected.items() if of == template]
    assert cases
    for (student, qid), codes in cases:
        row = rows[(student, qid)]
        if codes is None:
            assert row["verdict"] == "correct", (student, qid, row)
        else:
            assert row["verdict"] == "mistake", (student, qid, row)
            reported = {row["mistake"], *row["other_codes"].split()}
            assert codes & reported or any(code in row["mistake"] for code in codes), (student, qid, codes, row)
