"""Exporting a compact key.json question by question (issue 15).

Reading a 3000-question class set's key makes its 3000 questions (0.15–0.19 s) before anything is
written, and an export forks its copy (`halves.in_two`) only after that. Here the groups come from the
key's own fields (`groups.key_groups`) and each question is made where it is written, so the copy
makes its half of them itself. Same groups, same bytes as reading the key first
(tests/test_lms_fromkey.py). A key this cannot read — not compact, damaged, or merely unusual —
gives None: the caller reads it the general way, which reports any problem as it always has.
"""

from __future__ import annotations

__all__ = ["Exported", "export_key_data"]

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import LmsFormat, export_exam
from .groups import Group, key_groups


@dataclass(frozen=True, slots=True)
class Exported:
    data: bytes
    groups: tuple[Group, ...]
    variants: int
    questions: int


def export_key_data(data: Any, fmt: LmsFormat, *, lang: str | None, jobs: int) -> Exported | None:
    """``export_exam`` of the exam of key.json's JSON ``data`` (`exam.read_key_data`), or None (see above)."""
    from ..exam import exam_from_parts
    from ..keyformat import COMPACT_FORMAT, CompactQuestions

    if not isinstance(data, Mapping) or data.get("key_format") != COMPACT_FORMAT:
        return None
    try:
        key = CompactQuestions(data)
        if not key.variants:
            return None
        groups = key_groups(key)  # every question no entry holds is read there, every entry's where it is written
        out = export_exam(exam_from_parts(data, key.meta, ()), fmt, lang=lang, groups=groups, jobs=jobs)
    except Exception:  # whatever it is, the general way reports it (or exports what this way would not)
        return None
    return Exported(out, groups, len(key.variants), sum(len(v["questions"]) for v in key.variants))
