"""Which row is which student: ids as spreadsheets rewrite them, and response files without a header."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.grading.answers import HERE, correct_text, make_exam, make_key
from typer.testing import CliRunner

from quizgen.cli import app
from quizgen.errors import ResponseError
from quizgen.grading.engine import grade_responses
from quizgen.grading.model import GradingResult, ProblemKind, ResponseFormat, Verdict
from quizgen.grading.readers import read_responses_text

EXAM = make_exam(roster=HERE / "roster-sis.csv")  # 20230001 .. 20230004
QUESTIONS = EXAM.variants[0].questions
VARIANTS = {v.student_id: v for v in EXAM.variants}


def right_answers(student_id: str = "20230001") -> list[str]:
    return [correct_text(q) for q in VARIANTS[student_id].questions]  # choice options are shuffled per student


def csv_line(cells: list[str]) -> str:
    return ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n') else c for c in cells)


def grade(text: str) -> GradingResult:
    return grade_responses(EXAM, read_responses_text(text, "responses.csv", ResponseFormat.AUTO))


def test_ids_as_excel_rewrites_them_are_matched() -> None:
    header = csv_line(["student_id", *[q.id for q in QUESTIONS]])
    rows = [csv_line([typed, *right_answers(sid)])
            for typed, sid in (("20230001.0", "20230001"), ("2.0230002E+07", "20230002"), ("020230003", "20230003"))]
    result = grade("\n".join([header, *rows]) + "\n")
    graded = {s.variant.student_id: s for s in result.students}
    for sid in ("20230001", "20230002", "20230003"):
        assert graded[sid].submitted and graded[sid].score == graded[sid].points, sid
    assert [p.kind for p in result.problems] == [ProblemKind.NO_RESPONSE]


def test_an_unknown_id_suggests_the_closest() -> None:
    header = csv_line(["student_id", *[q.id for q in QUESTIONS]])
    result = grade(header + "\n" + csv_line(["2023004", *right_answers()]) + "\n")
    (unknown,) = [p for p in result.problems if p.kind is ProblemKind.UNKNOWN_STUDENT]
    assert unknown.message == "no student of the key has the id '2023004': not graded (did you mean '20230004'?)"


# --- a plain CSV without a header line ----------------------------------------------------------

def test_a_file_without_header_loses_no_student() -> None:
    lines = [csv_line([sid, *right_answers(sid)]) for sid in ("20230001", "20230002", "20230003")]
    result = grade("\n".join(lines) + "\n")
    assert result.table.headerless and result.rows_read == 3
    graded = {s.variant.student_id: s for s in result.students}
    for sid in ("20230001", "20230002", "20230003"):
        assert graded[sid].submitted and graded[sid].score == graded[sid].points, sid
    assert graded["20230001"].row == 1
    assert [p.kind for p in result.problems] == [ProblemKind.NO_RESPONSE]  # only 20230004, who sent nothing


def test_a_headerless_first_line_of_nobody_in_the_key_is_refused() -> None:
    lines = [csv_line([sid, *right_answers()]) for sid in ("20239999", "20230002")]
    with pytest.raises(ResponseError, match=r"responses\.csv row 1: the first line \(20239999,18207,.*\) looks like answers, "
                                            r"not column titles, and '20239999' is no student of the key: add a header line"):
        grade("\n".join(lines) + "\n")


@pytest.mark.parametrize("header", ["Matrikel,Q1,Q2,Q3", "Matrikel,1,2,3", "Matrikel," + ",".join(q.id for q in QUESTIONS[:3])])
def test_headers_without_known_titles_stay_headers(header: str) -> None:
    result = grade(header + "\n" + csv_line(["20230001", *right_answers()[:3]]) + "\n")
    assert not result.table.headerless and result.rows_read == 1
    first = next(s for s in result.students if s.variant.student_id == "20230001")
    assert [a.verdict for a in first.answers[:3]] == [Verdict.CORRECT] * 3


def test_cli_says_the_file_had_no_header_and_refuses_a_doubtful_one(tmp_path: Path) -> None:
    key = make_key(tmp_path, "roster-sis.csv")
    good, doubtful = tmp_path / "good.csv", tmp_path / "doubtful.csv"
    good.write_text("\n".join(csv_line([sid, *right_answers(sid)]) for sid in ("20230001", "20230002", "20230003")) + "\n")
    doubtful.write_text("\n".join(csv_line([sid, *right_answers()]) for sid in ("2023x001", "20230002")) + "\n")
    result = CliRunner().invoke(app, ["grade", str(key), str(good), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "3 rows, no header line: the first line is a student's answers" in result.output
    result = CliRunner().invoke(app, ["grade", str(key), str(doubtful), "--out", str(tmp_path / "out2")])
    assert result.exit_code == 1 and "doubtful.csv row 1: the first line" in result.output and "Traceback" not in result.output


def test_moodle_rows_find_students_by_the_roster_email_and_a_last_comma_first_name(tmp_path: Path) -> None:
    # Moodle's Responses report identifies students by Surname, First name and Email address (its default
    # identity field); a roster keyed by student number keeps the email beside the id and may write names
    # "Last, First". Both rows below are these students, not unknown ones.
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\n1001,\"Lovelace, Ada\",ada@x.edu\n1002,Alan Turing,alan@x.edu\n",
                      encoding="utf-8")
    exam = make_exam(roster=roster)
    by_id = {v.student_id: v for v in exam.variants}
    header = 'Surname,"First name","Email address",State,"Started on",Completed,"Time taken",Grade/10.00'
    header += "".join(f',"Response {i + 1}"' for i in range(len(QUESTIONS)))
    rows = [csv_line(["Lovelace", "Ada", "someone-else@x.edu", "Finished", "", "", "", "1",
                      *[correct_text(q) for q in by_id["1001"].questions]]),
            csv_line(["Turing", "A.", "ALAN@x.edu", "Finished", "", "", "", "1",
                      *[correct_text(q) for q in by_id["1002"].questions]])]
    result = grade_responses(exam, read_responses_text("\n".join([header, *rows]) + "\n", "r.csv", ResponseFormat.AUTO))
    graded = {s.variant.student_id: s for s in result.students}
    assert graded["1001"].submitted and graded["1001"].score == graded["1001"].points
    assert graded["1002"].submitted and graded["1002"].score == graded["1002"].points
    assert result.problems == ()
