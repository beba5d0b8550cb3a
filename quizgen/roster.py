"""Class rosters: who gets an exam. A CSV with a student id column and, optionally, names."""

from __future__ import annotations

__all__ = ["Student", "numbered_students", "read_roster"]

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .controlchars import control_character
from .errors import Location, QuizgenError
from .textfile import read_text_file

_ID_COLUMNS = ("student_id", "id", "student id", "studentid", "sis_id", "sis user id", "id number", "username", "学号", "编号")
# An email column is never taken as the id on its own: a roster of names and emails usually has its ids
# elsewhere (or not at all), and an exam keyed by email silently stops matching the LMS's id numbers.
_EMAIL_COLUMNS = ("email", "email address", "e-mail", "邮箱")
_NAME_COLUMNS = ("name", "student_name", "student name", "full name", "student", "姓名", "名字")
_FIRST = ("first name", "first_name", "given name", "名")
_LAST = ("last name", "last_name", "surname", "family name", "姓")


@dataclass(frozen=True, slots=True)
class Student:
    id: str
    name: str = ""
    email: str = ""  # kept in key.json for the gradebook imports, which LMSs often match on


def numbered_students(count: int) -> list[Student]:
    width = max(3, len(str(count)))
    return [Student(f"S{i:0{width}d}") for i in range(1, count + 1)]


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    return next((lowered.index(n) for n in names if n in lowered), None)


def read_roster(path: str | Path) -> list[Student]:
    """Every row becomes a student; a row without an id or with a repeated id is an error naming the row."""
    source = str(path)
    text, _ = read_text_file(path)
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise QuizgenError("the roster is empty", Location(file=source))
    header = rows[0]
    id_col = _find(header, _ID_COLUMNS)
    if id_col is None:
        email_col = _find(header, _EMAIL_COLUMNS)
        if email_col is not None:
            raise QuizgenError(f"no student id column (student_id, id, 学号); to identify students by their email, "
                               f"rename the column {header[email_col].strip()!r} to student_id (found: {', '.join(header)})",
                               Location(file=source, row=1))
        raise QuizgenError(f"no student id column: the header should have one of student_id, id, 学号 (found: {', '.join(header)})",
                           Location(file=source, row=1))
    name_col = _find(header, _NAME_COLUMNS)
    first_col, last_col = _find(header, _FIRST), _find(header, _LAST)
    email_col = _find(header, _EMAIL_COLUMNS)
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = row + [""] * (len(header) - len(row))
        sid = cells[id_col].strip()
        if not sid:
            raise QuizgenError(f"column {header[id_col]!r}: empty student id", Location(file=source, row=number))
        if sid in seen:
            raise QuizgenError(f"column {header[id_col]!r}: student id {sid!r} repeats row {seen[sid]}", Location(file=source, row=number))
        seen[sid] = number
        if name_col is not None:
            name = cells[name_col].strip()
        else:
            name = " ".join(p for p in (cells[first_col].strip() if first_col is not None else "",
                                        cells[last_col].strip() if last_col is not None else "") if p)
        email = cells[email_col].strip() if email_col is not None else ""
        for column, value in ((id_col, sid), (name_col if name_col is not None else first_col, name), (email_col, email)):
            if value and (problem := control_character(value)):
                shown = header[column] if column is not None else "name"
                raise QuizgenError(f"column {shown!r}: {problem}", Location(file=source, row=number))
        students.append(Student(sid, name, email))
    if not students:
        raise QuizgenError("the roster has a header but no students", Location(file=source))
    return students


_ = Path
