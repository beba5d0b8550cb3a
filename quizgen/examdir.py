"""An exam's output folder holds one exam: which exam that is, and which of its files went stale.

``generate`` and ``render`` write through `quizgen.outdir.OutputRun`; this module supplies the
exam-specific parts of a commit:

- `exam_identity` records what the folder holds (title, seed, banks, students). Two exams are
  the same when their seed and banks are: variants depend only on (seed, student id, question
  id), so regenerating with a changed roster, title, course or language is the same exam and
  needs no ``--force``; anything else is another exam, and `check_same_exam` refuses it.
- `file_tags` ties every per-student file to a digest of that student's variant, and every
  combined PDF to a digest of the variants it holds, so `stale_files` can tell which earlier
  files no longer match the key: those of students who left the roster or whose variant changed
  (a bank was edited), and combined PDFs whose students changed. A worksheet never outlives
  the key it belongs to.
"""

from __future__ import annotations

__all__ = ["check_same_exam", "describe_exam", "exam_identity", "existing_exam", "file_tags", "stale_files"]

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import Location, QuizgenError
from .exam import Exam, exam_to_json
from .outdir import Entry, read_manifest
from .render.slicing import parse_shard, safe_names

PER_STUDENT = ("students", "keys", "practice")
_COMBINED = re.compile(r"(?:class|keys|answers)(?:-(\d+)-of-(\d+))?\.(?:pdf|csv)")  # a set of students in one file
EXAM_COMMANDS = frozenset({"generate", "render"})


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def variant_digests(exam: Exam) -> dict[str, str]:
    """student id -> digest of what that student's documents show (language-independent)."""
    neutral = exam_to_json(dataclasses.replace(exam, lang="en", title="", course="", instructions={}))
    return {item["student_id"]: _digest(item) for item in neutral["variants"]}


def exam_identity(exam: Exam, *, practice: bool = False) -> dict[str, Any]:
    return {"title": exam.title, "seed": exam.seed, "banks": list(exam.banks), "students": len(exam.variants),
            "practice_pages": practice}


def describe_exam(identity: Mapping[str, Any]) -> str:
    students = identity.get("students")
    count = f"{students} student{'' if students == 1 else 's'}" if isinstance(students, int) else "? students"
    banks = ", ".join(str(b) for b in identity.get("banks") or []) or "?"
    return f"{identity.get('title', '?')!r} (seed {identity.get('seed', '?')}, {count}, banks {banks})"


def existing_exam(out: Path) -> dict[str, Any] | None:
    """What ``out`` holds: from quizgen's manifest, else from a key.json there (written before
    manifests existed, or copied in by hand); None for a folder without an exam."""
    recorded = read_manifest(out).exam
    if recorded is not None:
        return recorded
    key = out / "key.json"
    if not key.is_file():
        return None
    try:
        data = json.loads(key.read_text(encoding="utf-8-sig"))
        header = data["exam"]
        return {"title": header.get("title", "?"), "seed": header.get("seed", "?"), "banks": list(header.get("banks", [])),
                "students": len(data.get("variants", []))}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {"title": "an unreadable key.json", "seed": "?", "banks": [], "students": "?"}


def same_exam(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return bool(a.get("seed") == b.get("seed") and list(a.get("banks") or []) == list(b.get("banks") or []))


def check_same_exam(out: Path, identity: Mapping[str, Any], *, force: bool) -> dict[str, Any] | None:
    """Refuse to write ``identity``'s exam into a folder holding another (unless ``force``).
    Returns the other exam's identity when ``force`` lets it be replaced, else None."""
    existing = existing_exam(out)
    if existing is None or same_exam(existing, identity):
        return None
    if not force:
        raise QuizgenError(f"holds another exam: {describe_exam(existing)}; this run is {describe_exam(identity)}. "
                           "An output folder holds one exam: choose another --out, or add --force to replace it "
                           "(quizgen then deletes the files it wrote there before, and only those)",
                           Location(file=str(out)))
    return existing


def file_tags(exam: Exam) -> Callable[[str], dict[str, str]]:
    """Tags of a file a generate or render run wrote, by its path relative to the folder."""
    digests = variant_digests(exam)
    by_stem = dict(zip(safe_names([v.student_id for v in exam.variants]), (v.student_id for v in exam.variants), strict=True))

    def tags(rel: str) -> dict[str, str]:
        path = PurePosixPath(rel)
        if len(path.parts) == 2 and path.parts[0] in PER_STUDENT and path.stem in by_stem:
            student = by_stem[path.stem]
            return {"student": student, "variant": digests[student]}
        if len(path.parts) == 1 and (match := _COMBINED.fullmatch(rel)):
            shard = f"{match.group(1)}/{match.group(2)}" if match.group(1) else ""
            return {"shard": shard, "variants": _set_digest(exam, digests, shard)}
        return {}

    return tags


def _set_digest(exam: Exam, digests: Mapping[str, str], shard: str) -> str:
    part = parse_shard(shard) if shard else None
    positions = part.slice(len(exam.variants)) if part is not None else range(len(exam.variants))
    return _digest([digests[exam.variants[p].student_id] for p in positions])


def stale_files(exam: Exam, *, everything: bool = False) -> Callable[[Entry], bool]:
    """Which earlier files a run for ``exam`` removes: all of quizgen's (``everything``: the folder
    held another exam, replaced with --force), else the worksheets, keys and practice pages that
    no longer match the key. key.json and the outputs of other commands (grade) stay."""
    digests = variant_digests(exam)

    def stale(entry: Entry) -> bool:
        if everything:
            return True
        if entry.command not in EXAM_COMMANDS:
            return False
        if "student" in entry.tags:
            return digests.get(entry.tags["student"]) != entry.tags.get("variant")
        if "variants" in entry.tags:
            try:
                return _set_digest(exam, digests, entry.tags.get("shard", "")) != entry.tags["variants"]
            except QuizgenError:
                return True
        return False

    return stale
