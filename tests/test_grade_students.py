"""Which row is which student: ids as spreadsheets rewrite them, and response files without a header."""

from __future__ import annotations

from fixtures.grading.answers import HERE, correct_text, make_exam

from quizgen.grading.engine import grade_responses
from quizgen.grading.model import GradingResult, ProblemKind, ResponseFormat
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
