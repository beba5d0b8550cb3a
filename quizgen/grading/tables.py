"""The grader's CSV outputs: grades, feedback, problems, and grade-import files for Moodle and Canvas.

The three files people open in a spreadsheet (grades, feedback, problems) start with a UTF-8
BOM, so Excel shows Chinese explanations correctly; the LMS import files are plain UTF-8 as
Moodle and Canvas expect. Rows follow the key's student order, so re-runs give the same bytes.
"""

from __future__ import annotations

__all__ = ["canvas_import_csv", "feedback_csv", "format_points", "grades_csv", "moodle_import_csv", "problems_csv", "question_ids",
           "safe_cell"]

import csv
import io
import re
from collections.abc import Iterable, Sequence

from .model import GradingResult, StudentGrade
from .text import gt

BOM = "\ufeff"
# OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula
# (=HYPERLINK(...), @SUM(...), DDE payloads). Such a cell gets a leading apostrophe, which makes it
# text; a plain number (-3, +1.5, -2e3) cannot be a formula and stays a number.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(text: str) -> str:
    """A cell as a spreadsheet must see it: never a formula, no NUL (which cuts some readers' text)."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if text.startswith(_FORMULA_START) and _NUMBER.fullmatch(text) is None:
        return "'" + text
    return text


_FORMATTED: dict[float, str] = {}


def format_points(value: float) -> str:
    """2 decimals at most, no trailing zeros: 7.5, 2, 0.33 (memoized: a class has few distinct scores)."""
    found = _FORMATTED.get(value)
    if found is None:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        found = "0" if text in ("", "-0") else text
        if len(_FORMATTED) < 100_000:
            _FORMATTED[value] = found
    return found


def _csv(rows: Iterable[Sequence[object]], bom: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(str(cell)) for cell in row] for row in rows)
    return (BOM if bom else "") + out.getvalue()


def question_ids(result: GradingResult) -> list[str]:
    """Question ids in exam order (the union over variants, first seen first)."""
    return list(dict.fromkeys(q.id for v in result.exam.variants for q in v.questions))


def grades_csv(result: GradingResult) -> str:
    ids = question_ids(result)
    out = [BOM, _line(["student_id", "name", "variant", "status", "row", "score", "points", "percent", *ids])]
    # A class has few distinct scores: each score's cell is written once (as _field writes it).
    cells: dict[float, str] = {}

    def cell(score: float) -> str:
        found = cells.get(score)
        if found is None:
            found = cells[score] = _field(format_points(score))
        return found

    blanks = "," * len(ids)
    for s in result.students:
        v = s.variant
        if not s.submitted:
            fields = [v.student_id, v.student_name, v.code, "no_response", "", "", format_points(s.points), ""]
            out.append(_fields(fields) + blanks + "\r\n")
            continue
        by_id = {a.question_id: cell(a.score) for a in s.answers}
        percent = format_points(100 * s.score / s.points) if s.points else "0"
        out.append(_fields([v.student_id, v.student_name, v.code, "graded", str(s.row), format_points(s.score), format_points(s.points),
                            percent]))
        out.append("".join(["," + by_id.get(q, "") for q in ids]) + "\r\n")
    return "".join(out)


def _field(text: str) -> str:
    """RFC 4180 minimal quoting, as csv.writer does it (string tests run in C: faster than the csv
    module on long non-ASCII explanations, the bulk of feedback.csv)."""
    text = safe_cell(text)
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _fields(fields: Sequence[str]) -> str:
    return ",".join([_field(f) for f in fields])


def _line(fields: Sequence[str]) -> str:
    return _fields(fields) + "\r\n"


def feedback_csv(result: GradingResult) -> str:
    lang = result.options.lang
    line = _line
    out = [BOM, line(["student_id", "question", "response", "score", "points", "verdict", "mistake", "other_codes", "explanation"])]
    # Right answers share one grade object per (question, text); their record after the student id
    # is built once. The cache holds ids of objects the result keeps alive, so ids stay unique.
    tails: dict[int, str] = {}
    for s in result.students:
        head = _field(s.variant.student_id) + ","
        if not s.submitted:
            out.extend(head + line([q.id, "", "0", format_points(q.points), "blank", "", "", gt("no_response", lang)])
                       for q in s.variant.questions)
            continue
        for a in s.answers:
            tail = tails.get(id(a))
            if tail is None:
                tail = tails[id(a)] = line([a.question_id, a.response, format_points(a.score), format_points(a.points), a.verdict.value,
                                            " ".join(a.codes), " ".join(a.other_codes), a.explanation])
            out.append(head + tail)
    return "".join(out)


def problems_csv(result: GradingResult) -> str:
    rows: list[list[object]] = [["kind", "row", "student_id", "message", "data"]]
    rows.extend([p.kind.value, "" if p.row is None else p.row, p.student_id, p.message_in(result.options.lang), p.data]
                for p in result.problems)
    return _csv(rows, bom=True)


def _names(s: StudentGrade) -> tuple[str, str]:
    first, last = s.identity.get("first_name", ""), s.identity.get("last_name", "")
    if first or last:
        return first, last
    full = (s.identity.get("name") or s.variant.student_name).strip()
    if "," in full:  # "O'Brien, Seán": rosters and LMS exports write the family name first
        last, _, first = full.partition(",")
        return first.strip(), last.strip()
    head, _, tail = full.rpartition(" ")
    return (head, tail) if head else (tail, "")


def _email(s: StudentGrade) -> str:
    email = s.identity.get("email", "") or s.variant.student_email
    return email or (s.variant.student_id if "@" in s.variant.student_id else "")


def moodle_import_csv(result: GradingResult, item: str) -> str:
    """Moodle "Import grades > CSV file": map "ID number" (or "Email address") to the user field when importing."""
    rows: list[list[object]] = [["First name", "Last name", "Email address", "ID number", item]]
    for s in result.students:
        if s.submitted:
            first, last = _names(s)
            rows.append([first, last, _email(s), s.identity.get("id_number") or s.variant.student_id, format_points(s.score)])
    return _csv(rows, bom=False)


def canvas_import_csv(result: GradingResult, item: str) -> str:
    """Canvas gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then the assignment
    (a new column creates the assignment; the Points Possible row gives its points)."""
    total = max((s.points for s in result.students), default=0.0)
    rows: list[list[object]] = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", item],
                                ["    Points Possible", "", "", "", "", format_points(total)]]
    for s in result.students:
        if s.submitted:
            ident = s.identity
            rows.append([ident.get("name") or s.variant.student_name or s.variant.student_id, ident.get("id", ""),
                         ident.get("sis_id") or s.variant.student_id, ident.get("sis_login_id", ""), ident.get("section", ""),
                         format_points(s.score)])
    return _csv(rows, bom=False)
