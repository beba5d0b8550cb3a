"""Grade a responses table against a key: match rows to students, keep one attempt each, grade.

Nothing is dropped silently. A row whose identifiers match no student of the key, the earlier
attempts of a student who submitted several times, rows with missing or extra fields and
columns that answer no question all become `Problem`s, written to problems.csv and shown in
the report. Of several attempts the *last* one is graded (by the LMS's completion time when
it gives one, else the later row), finished attempts before unfinished ones; the others are
reported as duplicates with their row numbers.
"""

from __future__ import annotations

__all__ = ["grade_exam", "grade_responses"]

import dataclasses
import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation

from ..errors import AnswerParseError, Location, ResponseError
from ..exam import Exam, Variant
from .answers import part_label_error
from .gcpause import no_cyclic_gc
from .mapping import ColumnPlan, plan_columns
from .model import GradingOptions, GradingResult, Problem, ProblemKind, ResponseFormat, ResponseRow, ResponseTable, StudentGrade, Verdict
from .parse import parse_count, parse_shape
from .problemlog import ProblemLog
from .score import Grader
from .served import ServedPlan, check_served_report

# Excel turns the id 20240002 into "20240002.0", "2.0240002E+07" or (for 0020240002) "20240002".
_EXCEL_NUMBER = re.compile(r"\d+(?:\.0*)?|\d(?:\.\d+)?[eE]\+?\d+")
_SUGGESTED_ROWS = 200  # "did you mean" compares against every id: only for the first unknown rows


def _excel_number(text: str) -> int | None:
    text = text.strip()
    if not _EXCEL_NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() else None


def _name_forms(name: str) -> set[str]:
    """A roster name as LMS reports may write it: as given and, for "Last, First", also "First Last"."""
    plain = " ".join(name.split()).casefold()
    if not plain:
        return set()
    last, comma, first = plain.partition(",")
    if comma and "," not in first and last.strip() and first.strip():
        return {plain, f"{first.strip()} {last.strip()}"}
    return {plain}


class _Roster:
    """Key students by id: exact, then ignoring case and spaces, then by the roster's email (Moodle's
    default identity column), then by a unique full name (a roster's "Last, First" also as "First Last"),
    then a numeric id as a spreadsheet rewrote it (unique value only)."""

    def __init__(self, variants: Sequence[Variant]) -> None:
        self.exact = {v.student_id: v for v in variants}
        folded: dict[str, list[Variant]] = {}
        emails: dict[str, list[Variant]] = {}
        names: dict[str, list[Variant]] = {}
        for v in variants:
            folded.setdefault(v.student_id.strip().casefold(), []).append(v)
            if v.student_email.strip():
                emails.setdefault(v.student_email.strip().casefold(), []).append(v)
            for name in _name_forms(v.student_name):
                names.setdefault(name, []).append(v)
        self.folded = {k: vs[0] for k, vs in folded.items() if len(vs) == 1}
        self.emails = {k: vs[0] for k, vs in emails.items() if len(vs) == 1}
        self.names = {k: vs[0] for k, vs in names.items() if len(vs) == 1}
        numbers: dict[int, list[Variant]] = {}
        for v in variants:
            if v.student_id.strip().isdigit():
                numbers.setdefault(int(v.student_id), []).append(v)
        self.numbers = {k: vs[0] for k, vs in numbers.items() if len(vs) == 1}
        self.suggested = 0

    def find(self, ids: Sequence[str]) -> Variant | None:
        for candidate in ids:
            if (found := self.exact.get(candidate)) is not None:
                return found
        for candidate in ids:
            if (found := self.folded.get(candidate.strip().casefold())) is not None:
                return found
        for candidate in ids:
            if (found := self.emails.get(candidate.strip().casefold())) is not None:
                return found
        for candidate in ids:
            if (found := self.names.get(" ".join(candidate.split()).casefold())) is not None:
                return found
        for candidate in ids:
            number = _excel_number(candidate)
            if number is not None and (found := self.numbers.get(number)) is not None:
                return found
        return None

    def suggest(self, ids: Sequence[str]) -> tuple[str, str]:
        """(" (did you mean '20240002'?)", its Chinese) for a mistyped id, or ("", "")."""
        if self.suggested >= _SUGGESTED_ROWS:
            return "", ""
        self.suggested += 1
        for candidate in ids:
            close = difflib.get_close_matches(candidate.strip(), self.exact, n=1, cutoff=0.8)
            if close:
                return f" (did you mean {close[0]!r}?)", f" (是不是 {close[0]!r}?)"
        return "", ""


def _looks_like_answer(text: str) -> bool:
    for parse in (parse_count, parse_shape):
        try:
            parse(text)
        except AnswerParseError:
            continue
        return True
    return False


def _settle_header(table: ResponseTable, exam: Exam, roster: _Roster) -> ResponseTable:
    """A plain CSV's first line without known column titles: a header, a student's answers, or -- when it
    looks like answers of nobody in the key -- a file the grader will not guess about."""
    first = table.first_row
    if first is None:
        return table
    question_ids = {q.id for v in exam.variants for q in v.questions}
    if any(c in question_ids for c in table.columns):
        return dataclasses.replace(table, first_row=None)
    if first.ids and roster.find(first.ids) is not None:
        labels = tuple(f"column {i + 2}" for i in range(len(table.columns)))
        return dataclasses.replace(table, columns=labels, column_ids=labels, rows=_RowChain(first, table.rows), first_row=None,
                                   headerless=True)
    given = [a.strip() for a in first.answers if a.strip()]
    numbered = [str(n) for n in range(1, len(given) + 1)] == given  # titles 1, 2, 3, ...: question numbers
    if given and not numbered and 2 * sum(map(_looks_like_answer, given)) >= len(given):
        who = f"{first.ids[0]!r} is no student of the key" if first.ids else "it has no student id"
        raise ResponseError(f"the first line ({first.raw}) looks like answers, not column titles, and {who}: "
                            "add a header line (student_id, then the question ids or Q1, Q2, ...) so no student is lost",
                            Location(file=table.source, row=first.row))
    return dataclasses.replace(table, first_row=None)


class _RowChain:
    """The first line (graded as data) before the other rows, without reading the rows (they may be a stream)."""

    def __init__(self, first: ResponseRow, rest: Iterable[ResponseRow]) -> None:
        self.first, self.rest = first, rest

    def __iter__(self) -> Iterator[ResponseRow]:
        return itertools.chain((self.first,), self.rest)


def _first_given(answers: tuple[str, ...], columns: tuple[int, ...]) -> str:
    return next((answers[c] for c in columns if answers[c].strip()), "")


def _problem_order(p: Problem) -> tuple[int, int, str, str]:
    group = 2 if p.kind is ProblemKind.NO_RESPONSE else 0 if p.row is None else 1
    return group, p.row or 0, p.student_id, p.message


def grade_responses(exam: Exam, table: ResponseTable, options: GradingOptions | None = None,
                    overrides: Sequence[tuple[str, str]] = (), on_student: Callable[[StudentGrade], None] | None = None) -> GradingResult:
    """Grade every student of the key (in key order); ``on_student`` sees each grade as soon as it is
    made (write.PageStream uses it to render feedback pages while the rest is graded)."""
    # The whole run, reading and matching included: with the collector on, the rows, the roster and the
    # grades made here each round push a key's millions of objects towards a full collection (measured
    # 1.3 s each time it came, every second or third run of bench_grade, and 0.2 s of younger passes per run).
    with no_cyclic_gc():
        return _grade_responses(exam, table, options, overrides, on_student)


def _grade_responses(exam: Exam, table: ResponseTable, options: GradingOptions | None, overrides: Sequence[tuple[str, str]],
                     on_student: Callable[[StudentGrade], None] | None) -> GradingResult:
    options = options or GradingOptions(lang=exam.lang if exam.lang in ("en", "zh") else "en")
    if table.format in (ResponseFormat.MOODLE, ResponseFormat.CANVAS):
        options = dataclasses.replace(options, any_accepted_value=True)
    roster = _Roster(exam.variants)
    table = _settle_header(table, exam, roster)
    varying = check_served_report(exam, table)
    plan = plan_columns(table, exam, overrides)
    served = ServedPlan(exam, table, plan, varying) if varying is not None and table.served_columns else None
    log = ProblemLog()
    log.extend(table.malformed)
    latest: dict[str, ResponseRow] = {}  # the attempt graded so far, per student (memory: one row per student)
    earlier: dict[str, list[tuple[int, str]]] = {}  # listed earlier attempts per student: (row, raw)
    read = 0
    for row in table.rows:
        read += 1
        if not row.ids:
            log.add(Problem(ProblemKind.MALFORMED_ROW, row.row, "", "no student id in the row: not graded", row.raw,
                            zh="该行没有学号:未评分"))
            continue
        variant = roster.find(row.ids)
        if variant is None:
            if log.wants_detail(ProblemKind.UNKNOWN_STUDENT):
                tried = ", ".join(repr(i) for i in row.ids)
                hint, hint_zh = roster.suggest(row.ids)
                log.add(Problem(ProblemKind.UNKNOWN_STUDENT, row.row, row.ids[0],
                                f"no student of the key has the id {tried}: not graded{hint}", row.raw,
                                zh=f"答案文件中没有与 {'、'.join(repr(i) for i in row.ids)} 对应的学生:未评分{hint_zh}"))
            else:
                log.count_only(ProblemKind.UNKNOWN_STUDENT, row.row)
            continue
        if row.note:
            log.add(Problem(ProblemKind.MALFORMED_ROW, row.row, variant.student_id, row.note, zh=row.note_zh))
        sid = variant.student_id
        kept = latest.get(sid)
        if kept is not None:
            # The later attempt wins (finished first, then time, then row); the other is a duplicate.
            older, latest[sid] = (kept, row) if kept.order <= row.order else (row, kept)
            if log.wants_detail(ProblemKind.DUPLICATE):
                log.counts[ProblemKind.DUPLICATE] = log.counts.get(ProblemKind.DUPLICATE, 0) + 1
                earlier.setdefault(sid, []).append((older.row, older.raw))
            else:
                log.count_only(ProblemKind.DUPLICATE, older.row)
        else:
            latest[sid] = row
    grader = Grader(options)
    students: list[StudentGrade] = []
    problems: list[Problem] = []
    _grade_all(exam, latest, earlier, plan, served, grader, students, problems, on_student)
    for problem in problems:
        if problem.kind is ProblemKind.DUPLICATE:
            log.listed.append(problem)  # counted when it was found
        else:
            log.add(problem)
    log.extend(plan.problems)
    if served is not None:
        log.extend(served.problems)
    listed = sorted(log.listed, key=_problem_order)
    return GradingResult(exam, table, options, tuple(students), (*listed, *log.summaries()), rows_read=read)


def _grade_all(exam: Exam, latest: dict[str, ResponseRow], earlier: dict[str, list[tuple[int, str]]], plan: ColumnPlan,
               served: ServedPlan | None, grader: Grader, students: list[StudentGrade], problems: list[Problem],
               on_student: Callable[[StudentGrade], None] | None) -> None:
    for variant in exam.variants:
        if on_student is not None and students:
            on_student(students[-1])
        row = latest.get(variant.student_id)
        if row is None:
            students.append(StudentGrade.of(variant, None, ()))
            problems.append(Problem(ProblemKind.NO_RESPONSE, None, variant.student_id, "no response from this student",
                                    zh="没有该学生的答卷"))
            continue
        for number, raw in earlier.get(variant.student_id, ()):
            problems.append(Problem(ProblemKind.DUPLICATE, number, variant.student_id,
                                    f"an earlier attempt; row {row.row} (the last attempt) is graded instead", raw,
                                    zh=f"较早的一次作答;评分的是第 {row.row} 行 (最后一次作答)"))
        if row.order[0] == 0:
            problems.append(Problem(ProblemKind.ATTEMPT_STATE, row.row, variant.student_id,
                                    f"the attempt is marked {row.state!r}; graded as submitted",
                                    zh=f"该次作答的状态为 {row.state!r};按已提交评分"))
        if served is not None and row.served:
            given, texts = served.assign(variant, row)  # the LMS's pick of variants, graded exactly
            graded = tuple(grader.grade(q, text) for q, text in zip(given.questions, texts, strict=True))
        else:
            given, answers, columns = variant, row.answers, plan.columns_for(variant)
            graded = tuple(grader.grade(q, answers[c[0]] if len(c) == 1 else _first_given(answers, c))
                           for q, c in zip(variant.questions, columns, strict=True))
        for answer in graded:
            if answer.verdict is Verdict.UNPARSEABLE and (label := part_label_error(answer.response)) is not None:
                problems.append(Problem(ProblemKind.MALFORMED_ANSWER, row.row, variant.student_id,
                                        f"question {answer.question_id}: the part labels cannot be read ({label[0]}): "
                                        "graded as unparseable", answer.response,
                                        zh=f"题目 {answer.question_id}:无法读取各部分的标签 ({label[1]}):按无法识别评分"))
        students.append(StudentGrade.of(given, row.row, graded, row.identity))
    if on_student is not None and students:
        on_student(students[-1])


def grade_exam(key: str, responses: str, *, fmt: str = "auto", options: GradingOptions | None = None,
               overrides: Sequence[str] = ()) -> GradingResult:
    """Load key.json and a responses file and grade them (the library form of `quizgen grade`)."""
    from ..exam import load_key
    from .mapping import parse_map_option
    from .readers import read_responses

    exam = load_key(key)
    table = read_responses(responses, ResponseFormat(fmt))
    return grade_responses(exam, table, options, parse_map_option(overrides))
