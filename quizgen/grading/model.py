"""The grader's values: responses as read, one graded answer, one student's grade, problems.

Everything is frozen: a `GradingResult` is computed once and fed to every output (CSV files,
feedback pages, report, LMS grade imports), so they cannot disagree.
"""

from __future__ import annotations

__all__ = [
    "UNTAGGED",
    "AnswerGrade",
    "CellGrade",
    "GradingOptions",
    "GradingResult",
    "Problem",
    "ProblemKind",
    "ResponseFormat",
    "ResponseRow",
    "ResponseTable",
    "StudentGrade",
    "Verdict",
]

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ..exam import Exam, Variant


class ResponseFormat(StrEnum):
    AUTO = "auto"
    PLAIN = "plain"
    MOODLE = "moodle"
    CANVAS = "canvas"
    JSONL = "jsonl"


class Verdict(StrEnum):
    CORRECT = "correct"
    MISTAKE = "mistake"
    WRONG = "wrong"
    UNPARSEABLE = "unparseable"
    BLANK = "blank"


class ProblemKind(StrEnum):
    UNKNOWN_STUDENT = "unknown_student"  # no identifier of the row is a student id of the key
    DUPLICATE = "duplicate"  # an earlier attempt of a student who has a later one (not graded)
    MALFORMED_ROW = "malformed_row"  # unreadable row, or a row with missing/extra fields
    UNMAPPED_COLUMN = "unmapped_column"  # an answer column that maps to no question
    MISSING_QUESTION = "missing_question"  # a question with no column (graded as blank)
    ATTEMPT_STATE = "attempt_state"  # an attempt the LMS marks as not finished
    NO_RESPONSE = "no_response"  # a student of the key with no row
    MALFORMED_ANSWER = "malformed_answer"  # an answer whose LMS layout cannot be read (repeated Moodle part labels)


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """One student's submission as read, before matching it to the key.

    ``ids`` are the row's identifiers in the order they are tried against the key's student ids
    (student id, ID number, username, email, SIS id, ...); ``order`` sorts attempts of one student
    (later is larger); ``identity`` keeps LMS fields the grade-import files need.
    """

    row: int  # spreadsheet row (header = 1) or JSON-lines line number
    ids: tuple[str, ...]
    answers: tuple[str, ...]  # one text per column of ResponseTable.columns ("" when missing)
    order: tuple[int, str, int] = (0, "", 0)  # (finished?, sortable time, row)
    state: str = ""
    identity: Mapping[str, str] = field(default_factory=dict)
    raw: str = ""  # the row as read, kept for problems.csv when the row cannot be graded
    note: str = ""  # a malformation that did not stop grading (missing/extra fields)
    note_zh: str = ""  # the note in Chinese
    # Per answer column, the question the LMS served this student there: (question id, variant code)
    # from the question text's quizgen reference, UNTAGGED for a question text without one, None when
    # nothing was served there. Empty when the report does not say (see ResponseTable.served_columns).
    served: tuple[tuple[str, str] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponseTable:
    source: str
    format: ResponseFormat
    encoding: str
    columns: tuple[str, ...]  # answer column labels, in file order
    column_ids: tuple[str | None, ...]  # the question id a column may name (plain header, Canvas "<id>:"), else None
    positions: tuple[int, ...]  # 0-based question position a column stands for when mapped by order
    rows: Iterable[ResponseRow]  # a tuple, or a stream read from the file as it is iterated (readers.read_responses)
    malformed: tuple[Problem, ...] = ()
    # A plain CSV whose first line has no column title the reader knows: that line read as a row.
    # The grader keeps it as a header or grades it as data (``headerless``), or refuses the file.
    first_row: ResponseRow | None = None
    headerless: bool = False
    # The report says which question each student was served in each column (Moodle with its
    # "Question N" columns, Canvas always): rows carry ``served``, and random variants grade exactly.
    served_columns: bool = False


UNTAGGED = ("", "")  # ResponseRow.served: a question text without a quizgen reference


@dataclass(frozen=True, slots=True)
class GradingOptions:
    mistake_credit: float = 0.0  # share of the points a diagnosed mistake earns
    lang: str = "en"
    # "Give every value that fits" asks a worksheet for all of them; the LMS exports ask for one value
    # ("every value that fits is accepted"): grading their reports, any fitting value is right.
    any_accepted_value: bool = False


@dataclass(frozen=True, slots=True)
class CellGrade:
    """One part of a multi-part answer (a summary cell, a shape dimension)."""

    cell: str  # "0.shape", "0.params", "total_params" (score.cell_label names it for people)
    response: str
    verdict: Verdict
    credit: float  # 0..1
    codes: tuple[str, ...] = ()  # every code giving the cell's value, most likely first
    explanation: str = ""


@dataclass(frozen=True, slots=True)
class AnswerGrade:
    question_id: str
    response: str
    score: float
    points: float
    verdict: Verdict
    codes: tuple[str, ...] = ()  # diagnosed mistake code(s), most likely first ("a+b" is a pair)
    other_codes: tuple[str, ...] = ()  # other codes that give the same value
    explanation: str = ""  # what went wrong and the right derivation
    cells: tuple[CellGrade, ...] = ()
    diagnosis: str = ""  # what went wrong only (feedback pages show the worked solution beside it)


@dataclass(frozen=True, slots=True)
class StudentGrade:
    variant: Variant
    row: int | None  # None: no response
    answers: tuple[AnswerGrade, ...]
    identity: Mapping[str, str] = field(default_factory=dict)
    score: float = 0.0  # sum of the answers' scores (kept, not recomputed: every output reads it)
    points: float = 0.0  # points possible of the student's variant

    @staticmethod
    def of(variant: Variant, row: int | None, answers: tuple[AnswerGrade, ...], identity: Mapping[str, str] | None = None) -> StudentGrade:
        return StudentGrade(variant, row, answers, dict(identity or {}), round(sum(a.score for a in answers), 6),
                            sum(q.points for q in variant.questions))

    @property
    def submitted(self) -> bool:
        return self.row is not None


@dataclass(frozen=True, slots=True)
class Problem:
    kind: ProblemKind
    row: int | None
    student_id: str
    message: str
    data: str = ""  # the row's content when it was not graded, so nothing is lost
    count: int = 1  # problems this entry stands for (>1: a summary of those not listed one by one)
    zh: str = ""  # the message in Chinese (problems.csv and report.html of a zh run); the kind stays as it is

    def message_in(self, lang: str) -> str:
        return self.zh if lang == "zh" and self.zh else self.message


@dataclass(frozen=True, slots=True)
class GradingResult:
    exam: Exam
    table: ResponseTable
    options: GradingOptions
    students: tuple[StudentGrade, ...]
    problems: tuple[Problem, ...]  # beyond problemlog.LISTED of a kind, one summary entry counts the rest
    rows_read: int = 0  # rows of the responses file (the table's rows may be a stream, read once)
