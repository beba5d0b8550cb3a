"""The question families grade like the existing kinds after a trip through an LMS.

For each family bank: generate an exam, export it to Moodle XML (what students answer), write
a Moodle responses report in which every student gives, for every question, the value of its
first stored mistake (or the right answer where none is stored), grade it with `quizgen grade`
and check that each answer comes back as that mistake (or as correct). Then the right answers,
as the key states them, grade as correct.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
from test_export_roundtrip import STUDENTS, _responses_csv
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.exam import FAMILY_KINDS, write_key
from quizgen.generate import generate_exam
from quizgen.lms import LmsFormat, export_exam

runner = CliRunner()
FAMILY_BANKS = ["receptive-field", "memory", "training-compute", "design-ratios"]


Expected = dict[tuple[str, str], tuple[str, set[str] | None]]


def _grade(folder: Path, bank: str, correct: bool) -> tuple[Expected, dict[tuple[str, str], dict[str, str]]]:
    exam, _ = generate_exam([load_bank(bank)], 5, STUDENTS)
    assert all(q.kind in FAMILY_KINDS for v in exam.variants for q in v.questions)
    write_key(exam, folder / "key.json")
    (folder / "bank.xml").write_bytes(export_exam(exam, LmsFormat.MOODLE))
    if correct:  # with no stored mistake, the responses report gives each key answer
        exam = replace(exam, variants=tuple(replace(v, questions=tuple(replace(q, mistakes=()) for q in v.questions))
                                            for v in exam.variants))
    data, expected = _responses_csv(exam)
    (folder / "responses.csv").write_bytes(data)
    result = runner.invoke(app, ["grade", str(folder / "key.json"), str(folder / "responses.csv"), "--out", str(folder / "out")])
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO((folder / "out" / "feedback.csv").read_text(encoding="utf-8-sig")))
    return expected, {(r["student_id"], r["question"]): r for r in rows}


@pytest.mark.parametrize("bank", FAMILY_BANKS)
def test_stored_mistakes_come_back_diagnosed(tmp_path: Path, bank: str) -> None:
    expected, rows = _grade(tmp_path, bank, correct=False)
    diagnosed = 0
    for (student, qid), (_template, codes) in expected.items():
        row = rows[(student, qid)]
        if codes is None:
            assert row["verdict"] == "correct", (student, qid, row)
            continue
        assert row["verdict"] == "mistake", (student, qid, row)
        assert codes & {row["mistake"], *row["other_codes"].split()}, (student, qid, codes, row)
        assert row["explanation"], row
        diagnosed += 1
    assert diagnosed >= len(expected) // 2


@pytest.mark.parametrize("bank", FAMILY_BANKS)
def test_right_answers_as_the_key_states_them_are_correct(tmp_path: Path, bank: str) -> None:
    expected, rows = _grade(tmp_path, bank, correct=True)
    assert {rows[key]["verdict"] for key in expected} == {"correct"}
