"""The class answer grid (answers.csv, answers.pdf): every student's answers in a page or two,
the same answers as the key, and CSV cells that no spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from quizgen.bank import load_bank
from quizgen.exam import Exam, QuestionKind
from quizgen.generate import generate_exam
from quizgen.grading.model import Verdict
from quizgen.grading.score import Grader
from quizgen.render import DocumentSet, render_outputs, views_for
from quizgen.render.answers import AnswerGrid, answers_csv, answers_html, column_groups, grid_answers
from quizgen.render.pdf import pdf_bytes
from quizgen.roster import Student

BANK = Path(__file__).parent / "golden" / "render" / "bank.yaml"


def _exam(students: list[Student], banks: tuple[str | Path, ...] = (BANK,), lang: str = "en") -> Exam:
    return generate_exam([load_bank(b) for b in banks], 9, students, lang=lang)[0]


def _grid(exam: Exam) -> AnswerGrid:
    docs = DocumentSet(exam, exam.lang)
    return AnswerGrid.build(exam, [(v, grid_answers(views_for(docs, v))) for v in exam.variants])


def _rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "BOM: Excel shows Chinese names"
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.pdf
def test_render_writes_the_grid_with_the_keys_answers(tmp_path: Path) -> None:
    exam = _exam([Student("S001", "Ann"), Student("S002", "Bo")])
    written = render_outputs(exam, tmp_path, {"pdf"}, jobs=1, shard=None)
    assert {str(tmp_path / "answers.csv"), str(tmp_path / "answers.pdf")} <= set(written)
    rows = _rows((tmp_path / "answers.csv").read_text(encoding="utf-8"))
    ids = [q.id for q in exam.variants[0].questions]
    assert rows[0] == ["student_id", "name", "variant", *ids]
    total = next(q for q in exam.variants[0].questions if q.id == "total")
    assert rows[1][:3] == ["S001", "Ann", exam.variants[0].code]
    assert rows[1][3 + ids.index("total")] == str(total.answer), "numbers stay plain numbers"
    text = PdfReader(tmp_path / "answers.pdf").pages[0].extract_text()
    for variant in exam.variants:
        assert variant.student_id in text and variant.code in text
        assert str(next(q for q in variant.questions if q.id == "total").answer) in text
    assert "Answer key" not in (PdfReader(tmp_path / "class.pdf").pages[0].extract_text() or "")


def test_the_grid_comes_with_the_pdfs_only(tmp_path: Path) -> None:
    written = render_outputs(_exam([Student("S001", "")]), tmp_path, {"html"}, jobs=1, shard=None)
    assert not [p for p in written if "answers" in p] and not (tmp_path / "answers.csv").exists()


@pytest.mark.pdf
def test_thirty_students_of_fourteen_long_questions_fit_two_landscape_pages() -> None:
    exam = _exam([Student(f"2024{i:04d}", f"学生 {i}") for i in range(1, 31)], ("full-models", "recurrent"), "zh")
    assert len(exam.variants[0].questions) == 14
    reader = PdfReader(io.BytesIO(pdf_bytes(answers_html(exam, _grid(exam), "zh", "A4"))))
    assert len(reader.pages) <= 2
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height), "landscape"
    text = "".join(page.extract_text() for page in reader.pages)
    assert all(v.student_id in text for v in exam.variants)


def test_the_grader_scores_the_grids_choice_cells_right() -> None:
    """A choice cell reads "B (66048)"; graded, it is the right answer, not an unreadable one."""
    exam = _exam([Student("S001", ""), Student("S002", "")])
    rows = _rows(answers_csv(_grid(exam)))
    grader = Grader()
    checked = 0
    for variant, row in zip(exam.variants, rows[1:], strict=True):
        for q in variant.questions:
            if q.kind is QuestionKind.CHOICE:
                cell = row[rows[0].index(q.id)]
                assert re.fullmatch(r"[A-D] \(\d+\)", cell), cell
                assert grader.grade(q, cell).verdict is Verdict.CORRECT, cell
                checked += 1
    assert checked == 2


@pytest.mark.parametrize("banks", [(BANK,), ("full-models", "mobile-convs", "recurrent", "conv-basics", "inverse"),
                                   ("memory", "design-ratios", "receptive-field", "training-compute", "residual-and-attention")])
def test_the_key_grades_its_own_grid_full_marks(banks: tuple[str | Path, ...]) -> None:
    """Every cell of answers.csv, summary tables included (the total alone graded 0/4), is the right answer."""
    exam = _exam([Student("S001", ""), Student("S002", "")], banks)
    rows = _rows(answers_csv(_grid(exam)))
    grader = Grader()
    kinds = set()
    for variant, row in zip(exam.variants, rows[1:], strict=True):
        for q in variant.questions:
            cell = row[rows[0].index(q.id)]
            grade = grader.grade(q, cell)
            assert (grade.verdict, grade.score) == (Verdict.CORRECT, q.points), (q.id, cell, grade.explanation)
            kinds.add(q.kind)
    assert QuestionKind.SUMMARY in kinds


def test_grading_the_grid_file_reports_no_problem() -> None:
    """answers.csv as a whole graded as a responses file: its variant column is the grid's own, not an
    answer column left unmapped (it was listed in problems.csv)."""
    from quizgen.grading.engine import grade_responses
    from quizgen.grading.readers import read_responses_text

    exam = _exam([Student("S001", "Ann"), Student("S002", "Bo")])
    result = grade_responses(exam, read_responses_text(answers_csv(_grid(exam)), "answers.csv"))
    assert [p.message for p in result.problems] == []
    assert [s.score for s in result.students] == [s.points for s in result.students]


@pytest.mark.pdf
def test_the_pdf_grid_prints_a_summary_questions_total() -> None:
    exam = _exam([Student("S001", "")])
    grid = _grid(exam)
    summary = next(q for q in exam.variants[0].questions if q.kind is QuestionKind.SUMMARY)
    cell = grid.rows[0][1][summary.id]
    assert cell.endswith(f"; {summary.answer['total_params']}") and cell.count(";") == 2 * len(summary.answer["rows"])
    text = PdfReader(io.BytesIO(pdf_bytes(answers_html(exam, grid, "en", "A4")))).pages[0].extract_text()
    assert str(summary.answer["total_params"]) in text and cell.partition(";")[0] not in text


def test_csv_cells_never_start_a_formula() -> None:
    exam = _exam([Student("=1+1", "@cmd|' /C calc'!A0"), Student("-7", "+Bo"), Student("S3", "\tTab"), Student("S4", "\r=2")])
    rows = _rows(answers_csv(_grid(exam)))
    for row in rows[1:]:
        for cell in row:
            assert not re.match(r"[=+\-@\t\r]", cell) or re.fullmatch(r"[+-]?\d+(\.\d+)?", cell), cell
    assert [row[:2] for row in rows[1:]] == [["'=1+1", "'@cmd|' /C calc'!A0"], ["-7", "'+Bo"], ["S3", "'\tTab"], ["S4", "'\r=2"]]
    assert rows[2][0] == "-7", "a numeric id stays a number"


@pytest.mark.pdf
def test_a_wide_exam_splits_into_tables_whose_numbers_never_break() -> None:
    """43 questions in one table gave columns two characters wide: 2313144 printed as 23/13/14/4."""
    exam = _exam([Student(f"2026{i:03d}", f"Student {i}") for i in range(1, 31)],
                 ("residual-and-attention", "receptive-field", "memory", "training-compute"))
    grid = _grid(exam)
    assert len(grid.columns) == 43
    assert [len(group) for group in column_groups(len(grid.columns))] == [11, 11, 11, 10]
    reader = PdfReader(io.BytesIO(pdf_bytes(answers_html(exam, grid, "en", "A4"))))
    assert len(reader.pages) <= 8, "30 students, four tables"
    text = " ".join(page.extract_text() for page in reader.pages)
    words = set(re.sub(r"-\s+", "-", text).split())  # a question id may wrap at its hyphens
    numbers = [answer for _, answers in grid.rows for answer in answers.values() if re.fullmatch(r"\d{5,}", answer)]
    assert len(numbers) > 300
    broken = [n for n in numbers if n not in words]
    assert not broken, f"{len(broken)} numbers broken across lines, e.g. {broken[:5]}"
    for qid, _ in grid.columns:
        assert qid in words, f"question id {qid} broken inside a word"
