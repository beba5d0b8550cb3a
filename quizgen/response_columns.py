"""Column titles a plain responses CSV uses for the student rather than for an answer.

The grader's plain reader gives these columns their roles; a bank refuses a question id that is
one of them, since that question's answer column could never be told from the student's details.
"""

from __future__ import annotations

__all__ = ["FIRST", "ID_COLUMNS", "LAST", "NAME", "OTHER", "TIME", "reserved_title"]

# Identifier columns, tried against the key's student ids in this order.
ID_COLUMNS = ("student_id", "student id", "studentid", "student_number", "id", "sis_id", "sis user id", "id number",
              "idnumber", "username", "login", "email", "email address", "e-mail", "学号", "编号", "邮箱")
NAME = ("name", "student_name", "student name", "full name", "student", "姓名", "名字")
FIRST = ("first name", "first_name", "given name", "名")
LAST = ("last name", "last_name", "surname", "family name", "姓")
TIME = ("timestamp", "submitted", "submitted at", "submitted_at", "time", "时间", "时间戳", "提交时间")
OTHER = ("attempt", "section", "state", "status", "score", "grade", "variant")  # variant: answers.csv's variant code


def reserved_title(title: str) -> bool:
    """Whether a responses CSV column titled `title` is read as the student's details, not an answer."""
    folded = title.strip().casefold()
    return any(folded in names for names in (ID_COLUMNS, NAME, FIRST, LAST, TIME, OTHER))
