"""grades.csv, feedback.csv and report.html made from the feedback pages' descriptions (`feedback.PageSpec`).

The pages' descriptions already hold every graded answer once per distinct content, and every
student's list of them; that is all the two tables and the report's counts need (the report's
other contents come in a `report.ReportContext`). So the process that renders the pages
(write.py's helper, on another core) writes them too, and the grader's own core is spared
describing 200,000 answers a second, third and fourth time (issue 15: 0.45 s of a 10,000-student run).

The bytes are those of `tables.grades_csv`, `tables.feedback_csv` and `report.report_page`,
which stay the form a library user calls on a `GradingResult` (tests/test_grade_spectables.py
compares them).
"""

from __future__ import annotations

__all__ = ["SpecTables"]

from collections.abc import Callable, Sequence

from .feedback import AnswerArgs, PageSpec
from .report import ReportContext, ReportTally, render_report
from .tables import BOM, _field, _fields, _line, format_points

_GRADES_HEADER = ["student_id", "name", "variant", "status", "row", "score", "points", "percent"]
_FEEDBACK_HEADER = ["student_id", "question", "response", "score", "points", "verdict", "mistake", "other_codes", "explanation"]


class SpecTables:
    """Fed every page's spec in student order (`add`), gives grades.csv, feedback.csv and report.html (`texts`)."""

    def __init__(self, question_ids: Sequence[str], feedback_out: Callable[[str], None] | None = None) -> None:
        """``feedback_out``: where feedback.csv's text goes as it is made (then `texts` leaves it out)."""
        self.ids = list(question_ids)
        self.answers: list[AnswerArgs] = []
        self.tails: list[str | None] = []  # feedback.csv's record after the student id, per answer part
        self.scores: dict[float, str] = {}
        self.grades = [BOM, _line([*_GRADES_HEADER, *self.ids])]
        self.feedback = [BOM, _line(_FEEDBACK_HEADER)]
        self.feedback_out = feedback_out
        if feedback_out is not None:
            feedback_out("".join(self.feedback))
            self.feedback = []
        self.blanks = "," * len(self.ids)
        self.report = ReportTally(self.ids)

    def _tail(self, number: int) -> str:
        tail = self.tails[number]
        if tail is None:
            _, verdict, score, _, codes, _, _, _, qid, other, explanation, points = a = self.answers[number]
            tail = self.tails[number] = _line([qid, a[0], format_points(score), format_points(points), str(verdict), " ".join(codes),
                                               " ".join(other), explanation])
        return tail

    def _score(self, score: float) -> str:
        found = self.scores.get(score)
        if found is None:
            found = self.scores[score] = _field(format_points(score))
        return found

    def add(self, spec: PageSpec) -> None:
        self.answers.extend(spec.new_answers)
        self.tails.extend([None] * len(spec.new_answers))
        sid, name, code, score, points, submitted = spec.header
        head = _field(sid) + ","
        numbers = [a for _, a in spec.parts]
        if numbers:  # a record per answer, each after the student id
            records = head + head.join([self._tail(a) for a in numbers])
            if self.feedback_out is not None:
                self.feedback_out(records)
            else:
                self.feedback.append(records)
        report = self.report
        for question in spec.new_questions:
            report.question(*question)
        if not submitted:
            report.student(False, score, points, ())
            self.grades.append(_fields([sid, name, code, "no_response", "", "", format_points(points), ""]) + self.blanks + "\r\n")
            return
        answers = self.answers
        report.student(True, score, points, [(answers[a][8], str(answers[a][1]), answers[a][2], answers[a][4]) for a in numbers])
        by_id = {answers[a][8]: self._score(answers[a][2]) for a in numbers}
        percent = format_points(100 * score / points) if points else "0"
        self.grades.append(_fields([sid, name, code, "graded", str(spec.row), format_points(score), format_points(points), percent]))
        self.grades.append("".join(["," + by_id.get(q, "") for q in self.ids]) + "\r\n")

    def texts(self, context: ReportContext) -> dict[str, str]:
        texts = {"grades.csv": "".join(self.grades), "feedback.csv": "".join(self.feedback),
                 "report.html": render_report(self.report, context)}
        if self.feedback_out is not None:
            del texts["feedback.csv"]  # already out
        return texts
