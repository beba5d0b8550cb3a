"""A plain `quizgen export KEY.json --format F --out FILE [--lang L]` without the CLI framework.

Like `solve` (cli/_fast.py): typer and the pydantic it coerces arguments with cost about 0.1 s
before any work, a tenth of exporting a 3000-question class. Only these options, in their
common spellings, are read here; anything else — `--help`, a bank instead of a key, `--seed`,
a value typer would refuse — and any error to report go back to the typer command, which then
does the whole job and prints its usual messages (nothing is written before an error here).
"""

from __future__ import annotations

__all__ = ["exam_counts", "fast_export", "summary_line"]

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


def summary_line(out: Path, fmt: str, data: bytes, groups: Sequence[Group], variants: int, questions: int) -> str:
    """What `quizgen export` prints once the file is written."""
    distinct = sum(len(g.entries) for g in groups)
    return (f"wrote {out} ({fmt}, {len(data):,} bytes): {len(groups)} question groups, "
            f"{distinct} distinct questions from {variants} variants ({questions} questions; identical ones merged)")


def exam_counts(exam: Exam) -> tuple[int, int]:
    """(variants, questions) of ``exam``, for `summary_line`."""
    return len(exam.variants), sum(len(v.questions) for v in exam.variants)


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
    from ..exam import exam_from_key_data, read_key_data
    from ..grading.gcpause import no_cyclic_gc
    from ..lms import LmsFormat, export_exam
    from ..lms.fromkey import export_key_data
    from ..lms.groups import exam_groups
    from ..lms.halves import spare_cores

    out = Path(found["out"])
    fmt, lang = LmsFormat(found["format"]), found.get("lang")
    try:
        with no_cyclic_gc():  # reading and writing make no cycles, and a class set's key is a million objects
            key = read_key_data(found["key"], for_export=True)
            exported = export_key_data(key, fmt, lang=lang, jobs=spare_cores())
            if exported is None:  # not a compact key, or one to read the general way
                exam = exam_from_key_data(key, found["key"])
                if not exam.variants:
                    return False
                groups = exam_groups(exam)
                data = export_exam(exam, fmt, lang=lang, groups=groups, jobs=spare_cores())
                counts = exam_counts(exam)
            else:
                data, groups, counts = exported.data, exported.groups, (exported.variants, exported.questions)
            write_bytes_atomic(out, data)
    except (QuizgenError, OSError):
        return False  # the typer command exports again and reports the error its usual way
    sys.stdout.write(summary_line(out, found["format"], data, groups, *counts) + "\n")
    sys.stdout.flush()
    return True
