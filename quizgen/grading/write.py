"""Write every output of a grading run into one directory, atomically and reproducibly.

Single files go through atomic.write_text_atomic. The per-student pages are written into a
fresh hidden directory that then replaces ``feedback/`` whole, so a reader sees the old set or
the new set, never a mix, and pages of students no longer in the key do not linger.
"""

from __future__ import annotations

__all__ = ["OUTPUT_FILES", "page_names", "write_outputs"]

import os
import shutil
import tempfile
from pathlib import Path

from ..atomic import write_text_atomic
from .model import GradingResult
from .pages import feedback_page, page_name, report_page
from .tables import canvas_import_csv, feedback_csv, grades_csv, moodle_import_csv, problems_csv

OUTPUT_FILES = ("grades.csv", "feedback.csv", "problems.csv", "report.html", "moodle_grades.csv", "canvas_grades.csv")


def page_names(result: GradingResult) -> list[str]:
    """Each student's page file name; ids equal but for case get distinct names (case-insensitive file systems)."""
    names, used = [], set()
    for student in result.students:
        name = page_name(student.variant.student_id)
        if name.casefold() in used:
            name = page_name(student.variant.student_id + "\x00")  # forces the hashed form
        used.add(name.casefold())
        names.append(name)
    return names


def _write_pages(result: GradingResult, target: Path) -> None:
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        for student, name in zip(result.students, page_names(result), strict=True):
            (staging / name).write_text(feedback_page(result, student), encoding="utf-8")
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the pages are meant to be shared
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old.", suffix=".tmp"))
            os.replace(target, old / target.name)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_outputs(result: GradingResult, out: Path, *, item: str | None = None) -> list[Path]:
    """Write grades.csv, feedback.csv, problems.csv, report.html, the LMS grade imports and feedback/."""
    out.mkdir(parents=True, exist_ok=True)
    name = item or result.exam.title or "quizgen"
    contents = {
        "grades.csv": grades_csv(result),
        "feedback.csv": feedback_csv(result),
        "problems.csv": problems_csv(result),
        "report.html": report_page(result),
        "moodle_grades.csv": moodle_import_csv(result, name),
        "canvas_grades.csv": canvas_import_csv(result, name),
    }
    written = []
    for file, text in contents.items():
        write_text_atomic(out / file, text)
        written.append(out / file)
    _write_pages(result, out / "feedback")
    written.append(out / "feedback")
    return written
