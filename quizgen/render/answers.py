"""The class answer grid: one row per student (id, name, variant code, every question's answer).

For marking paper copies by hand: ``answers.pdf`` fits a class of 30 on a page or two
(landscape, one short cell per answer; a wider exam in several tables), and ``answers.csv`` holds the same grid for a
spreadsheet. The answers are the key's own texts (what the answer key prints as "Correct
answer"), taken from the views the render builds anyway, so nothing is solved twice. A
``summary`` question's cell is its whole table as the grader reads it (each row's output shape
and parameters, then the total, joined by "; "), so grading the grid gives full marks;
answers.pdf prints only its total, which fits a cell.
"""

from __future__ import annotations

__all__ = ["GRID_COLUMNS", "AnswerGrid", "answers_csv", "answers_html", "column_groups", "grid_answers"]

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from ..exam import Exam, QuestionKind, Variant
from ..grading.tables import safe_cell
from .env import FONTS, MONO_FONTS, css_string, environment
from .text import words
from .views import QuestionView

BOM = "\ufeff"
GRID_COLUMNS = 14  # questions across one landscape table: shapes like (None, 14, 14, 8) still fit whole


@dataclass(frozen=True, slots=True)
class AnswerGrid:
    """Question columns in exam order (the union over variants), and per student its answers by id."""

    columns: tuple[tuple[str, float], ...]  # (question id, points)
    rows: tuple[tuple[Variant, dict[str, str]], ...]  # answers as the grader reads them (`grid_answers`)
    summaries: frozenset[str] = frozenset()  # question ids of summary questions (answers.pdf prints their total)

    @classmethod
    def build(cls, exam: Exam, rows: Sequence[tuple[Variant, dict[str, str]]]) -> AnswerGrid:
        columns: dict[str, float] = {}
        summaries: set[str] = set()
        for variant in exam.variants:
            for q in variant.questions:
                columns.setdefault(q.id, q.points)
                if q.kind is QuestionKind.SUMMARY:
                    summaries.add(q.id)
        return cls(tuple(columns.items()), tuple(rows), frozenset(summaries))

    def printed(self, qid: str, answer: str) -> str:
        """A cell as answers.pdf prints it: a summary question's total (its table is in keys.pdf)."""
        return answer.rpartition("; ")[2] if qid in self.summaries else answer


def grid_answers(views: Sequence[QuestionView]) -> dict[str, str]:
    """One student's cells: the key's answer; for a summary question the table in the grader's rows
    layout, "(None, 26, 26, 32); 320; (None, 13, 13, 32); 0; ...; 5258" (the total alone grades 0)."""
    cells: dict[str, str] = {}
    for view in views:
        summary = view.key.summary
        if summary is None:
            cells[view.id] = view.key.answer
        else:
            cells[view.id] = "; ".join([*(f"{shape}; {params}" for _, _, shape, params in summary.rows), str(summary.total)])
    return cells


def answers_csv(grid: AnswerGrid) -> str:
    """UTF-8 with a BOM (Excel then shows Chinese names), CRLF lines, and no cell a spreadsheet would
    run as a formula (the grader's rule: a leading ' unless the cell is a plain number)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in ("student_id", "name", "variant", *(qid for qid, _ in grid.columns))])
    for variant, answers in grid.rows:
        writer.writerow([safe_cell(c) for c in (variant.student_id, variant.student_name, variant.code,
                                                        *(answers.get(qid, "") for qid, _ in grid.columns))])
    return BOM + out.getvalue()


def column_groups(count: int, most: int = GRID_COLUMNS) -> list[range]:
    """Question columns split into as few tables as fit ``most`` across, of near-equal widths
    (43 questions: 11, 11, 11 and 10, rather than 14, 14, 14 and a lone 1)."""
    tables = max(1, -(-count // most))
    size = -(-count // tables) if count else 0
    return [range(start, min(start + size, count)) for start in range(0, count, size or 1)] or [range(0)]


def answers_html(exam: Exam, grid: AnswerGrid, lang: str, paper: str) -> str:
    w = words(lang)
    # Landscape, the text set small: 14 questions of shapes like (None, 14, 14, 8) fit across.
    page_css = Markup(  # noqa: S704 - every text from the exam or the roster goes through css_string
        f"@page {{ size: {paper} landscape; margin: 10mm 10mm 12mm 10mm; font-family: {FONTS[lang]};"
                f" @bottom-center {{ content: {css_string(w['page'] + ' ')} counter(page) "
                f"{css_string(' ' + w['page_of'] + ' ')} counter(pages) {css_string(' ' + w['page_end'] if w['page_end'] else '')};"
                f" font-size: 7pt; color: #555; }} }}\n"
                f"body {{ font-family: {FONTS[lang]}; }}\n.mono {{ font-family: {MONO_FONTS}; }}\n")
    # A wide exam in one table gave columns two characters wide (numbers broke into digit pairs):
    # several tables, each repeating who the row is.
    groups = column_groups(len(grid.columns))
    return environment().get_template("answers.html.j2").render(
        exam=exam, grid=grid, w=w, html_lang="zh-CN" if lang == "zh" else "en", page_css=page_css,
        groups=groups, question_width=f"{85.5 / max(1, len(groups[0])):.3f}%")
