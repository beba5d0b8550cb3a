"""Every shipped bank, whatever it holds today: the right answer to each question scores full,
each stored mistake value is diagnosed with its code, and garbage is unparseable with a message.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from fixtures.grading.answers import BANK, correct_text, make_exam, mistake_text
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.exam import Exam, write_key
from quizgen.grading.model import GradingOptions, Verdict
from quizgen.grading.score import Grader
from quizgen.resources import banks_dir

BANKS = [*sorted(banks_dir().glob("*.yaml")), BANK]
GARBAGE = ["banana?!", "(26, 26", "x = = 3", "🙂"]


@cache
def exam_of(bank: Path) -> Exam:
    return make_exam(bank, count=3, seed=11)


@pytest.fixture(params=BANKS, ids=lambda p: p.stem if p != BANK else "grader-fixture")
def exam(request: pytest.FixtureRequest) -> Exam:
    return exam_of(request.param)


def test_banks_are_found() -> None:
    assert BANKS[-1] == BANK  # the shipped ones (none yet is fine) plus the grader's own


def test_right_answers_score_full(exam: Exam) -> None:
    grader = Grader()
    for variant in exam.variants:
        for q in variant.questions:
            grade = grader.grade(q, correct_text(q))
            assert (grade.verdict, grade.score) == (Verdict.CORRECT, q.points), f"{variant.student_id} {q.id}: {grade}"


def test_every_stored_mistake_is_diagnosed_with_its_code(exam: Exam) -> None:
    grader = Grader(GradingOptions(lang="en"))
    checked = 0
    for variant in exam.variants:
        for q in variant.questions:
            for m in q.mistakes:
                grade = grader.grade(q, mistake_text(q, m))
                assert grade.verdict is Verdict.MISTAKE, f"{q.id} {m.codes} {m.value!r}: {grade.verdict} {grade.explanation}"
                assert m.code in grade.codes + grade.other_codes, f"{q.id} {m.value!r}: {grade.codes}"
                assert grade.explanation, q.id
                assert grade.score == 0.0 or q.kind.value in ("output_shape", "summary")  # per-cell credit only
                checked += 1
    assert checked or all(not q.mistakes for v in exam.variants for q in v.questions)


def test_diagnosis_names_the_students_numbers(exam: Exam) -> None:
    """The stored explanation quotes the wrong value, so the student sees their own number."""
    grader = Grader()
    for q in exam.variants[0].questions:
        for m in q.mistakes[:3]:
            if isinstance(m.value, int) and not m.cell:
                assert str(m.value) in grader.grade(q, mistake_text(q, m)).explanation


def test_garbage_is_unparseable_with_a_message(exam: Exam) -> None:
    grader = Grader()
    for q in exam.variants[0].questions:
        for text in GARBAGE:
            grade = grader.grade(q, text)
            assert grade.verdict is Verdict.UNPARSEABLE, f"{q.id} {text!r}: {grade.verdict}"
            assert grade.score == 0.0
            assert len(grade.explanation) > 20, grade.explanation


def test_blank_is_blank(exam: Exam) -> None:
    grader = Grader()
    for q in exam.variants[0].questions:
        for text in ("", "-", "  "):
            assert grader.grade(q, text).verdict is Verdict.BLANK, q.id


@pytest.mark.parametrize("bank", BANKS, ids=lambda p: p.stem)
def test_bank_graded_end_to_end(bank: Path, tmp_path: Path) -> None:
    """The whole pipeline (JSON lines in, every output out) for every question kind a bank has."""
    exam = exam_of(bank)
    write_key(exam, tmp_path / "key.json")
    lines = [json.dumps({"student_id": v.student_id, "answers": {q.id: correct_text(q) for q in v.questions}}) for v in exam.variants]
    (tmp_path / "responses.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["grade", str(tmp_path / "key.json"), str(tmp_path / "responses.jsonl"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    grades = (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(grades) == 1 + len(exam.variants)
    assert all(",graded," in line and ",100," in line for line in grades[1:]), grades
    assert len(list((tmp_path / "out" / "feedback").glob("*.html"))) == len(exam.variants)


def test_cloze_layout_is_the_lms_exports(exam: Exam) -> None:
    """The grader reads summary cloze parts in the order the LMS exports write the blanks."""
    lms = pytest.importorskip("quizgen.lms")
    from quizgen.grading.cells import cloze_keys

    for q in exam.variants[0].questions:
        if q.kind.value == "summary":
            assert cloze_keys(q.answer) == tuple(lms.cloze_parts(q)), q.id
