"""A plain `quizgen export KEY.json --format F --out FILE [--lang L]` without the CLI framework.

Like `solve` (cli/_fast.py): typer and the pydantic it coerces arguments with cost about 0.1 s
before any work, a tenth of exporting a 3000-question class. Only these options, in their
common spellings, are read here; anything else — `--help`, a bank instead of a key, `--seed`,
a value typer would refuse — and any error to report go back to the typer command, which then
does the whole job and prints its usual messages (nothing is written before an error here).
"""

from __future__ import annotations

__all__ = ["fast_export", "summary_line"]

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QuizgenError
from ._argv import read_plain

if TYPE_CHECKING:
    from ..exam import Exam
    from ..lms.groups import Group

_VALUED = {"--format": "format", "-f": "format", "--out": "out", "--lang": "lang"}
_FORMATS = ("moodle", "gift", "qti")
_LANGS = ("en", "zh")


def summary_line(out: Path, fmt: str, data: bytes, exam: Exam, groups: Sequence[Group]) -> str:
    """What `quizgen export` prints once the file is written."""
    distinct = sum(len(g.entries) for g in groups)
    questions = sum(len(v.questions) for v in exam.variants)
    return (f"wrote {out} ({fmt}, {len(data):,} bytes): {len(groups)} question groups, "
            f"{distinct} distinct questions from {len(exam.variants)} variants ({questions} questions; identical ones merged)")


def _parse(args: list[str]) -> dict[str, str] | None:
    """Option name -> value, and "key"; None when typer should read these arguments."""
    read = read_plain(args, _VALUED)  # --help, --seed/--count/--title (exporting from a bank), '--': typer's
    if read is None:
        return None
    found, positional = read
    if len(positional) != 1 or not positional[0].lower().endswith(".json"):
        return None
    if found.get("format") not in _FORMATS or not found.get("out") or found.get("lang", "en") not in _LANGS:
        return None
    found["key"] = positional[0]
    return found


def fast_export(args: list[str]) -> bool:
    """Export if these are the arguments of a plain key export; False when the typer command must run."""
    found = _parse(args)
    if found is None:
        return False
    from ..atomic import write_bytes_atomic
    from ..exam import load_key
    from ..lms import LmsFormat, export_exam
    from ..lms.groups import exam_groups
    from ..lms.halves import spare_cores

    out = Path(found["out"])
    try:
        exam = load_key(found["key"])
        if not exam.variants:
            return False
        groups = exam_groups(exam)
        data = export_exam(exam, LmsFormat(found["format"]), lang=found.get("lang"), groups=groups, jobs=spare_cores())
        write_bytes_atomic(out, data)
    except (QuizgenError, OSError):
        return False  # the typer command exports again and reports the error its usual way
    sys.stdout.write(summary_line(out, found["format"], data, exam, groups) + "\n")
    sys.stdout.flush()
    return True
