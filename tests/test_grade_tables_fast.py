"""grades.csv is written line by line (issue 15: the csv module cost as much as the grading of a
question), byte for byte what csv.writer writes, with every cell made safe for a spreadsheet."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

from fixtures.grading.answers import correct_text, make_exam, mistake_text

from quizgen.grading.engine import grade_responses
from quizgen.grading.model import GradingOptions, GradingResult
from quizgen.grading.readers import read_responses_text
from quizgen.grading.tables import BOM, format_points, grades_csv, question_ids, safe_cell

AWKWARD = ["Ann, the first", 'Bob "B" Brown', "Cy\nNewline", "=HYPERLINK(1)", "-3", "@sum", "tab\tin", "Zoë 张", "nul\x00l"]


def reference_grades_csv(result: GradingResult) -> str:
    """The csv-module form grades.csv had before (the same rows, written by csv.writer)."""
    ids = question_ids(result)
    rows: list[list[object]] = [["student_id", "name", "variant", "status", "row", "score", "points", "percent", *ids]]
    for s in result.students:
        v = s.variant
        if not s.submitted:
            rows.append([v.student_id, v.student_name, v.code, "no_response", "", "", format_points(s.points), "", *[""] * len(ids)])
            continue
        by_id = {a.question_id: format_points(a.score) for a in s.answers}
        percent = format_points(100 * s.score / s.points) if s.points else "0"
        rows.append([v.student_id, v.student_name, v.code, "graded", s.row, format_points(s.score), format_points(s.points), percent,
                     *(by_id.get(q, "") for q in ids)])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([safe_cell(str(cell)) for cell in row] for row in rows)
    return BOM + out.getvalue()


def test_grades_csv_is_what_csv_writer_writes_for_awkward_names_ids_and_missing_students() -> None:
    exam = make_exam(count=len(AWKWARD) + 2)
    variants = [dataclasses.replace(v, student_id=f"{name} id" if i % 2 else v.student_id, student_name=name, code=name[:3])
                for i, (v, name) in enumerate(zip(exam.variants, [*AWKWARD, "", "Last Student"], strict=True))]
    # One student's variant lacks a question: its cell stays empty.
    variants[1] = dataclasses.replace(variants[1], questions=variants[1].questions[1:])
    exam = dataclasses.replace(exam, variants=tuple(variants))
    lines = []
    for i, v in enumerate(exam.variants[:-1]):  # the last student sends nothing
        answers = {q.id: mistake_text(q, q.mistakes[0]) if i % 3 == 1 and q.mistakes else "" if i % 3 == 2 else correct_text(q)
                   for q in v.questions}
        lines.append(json.dumps({"student_id": v.student_id, "answers": answers}))
    for credit in (0.0, 1 / 3):
        result = grade_responses(exam, read_responses_text("\n".join(lines), "r.jsonl"), GradingOptions(mistake_credit=credit))
        assert grades_csv(result) == reference_grades_csv(result)
    written = list(csv.reader(io.StringIO(grades_csv(result).removeprefix(BOM))))
    assert [r[1] for r in written[1:]] == [safe_cell(n) for n in [*AWKWARD, "", "Last Student"]]
    assert written[-1][3] == "no_response"
