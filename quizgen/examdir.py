"""An exam's output folder holds one exam: which exam that is, and which of its files went stale.

``generate`` and ``render`` write through `quizgen.outdir.OutputRun`; this module supplies the
exam-specific parts of a commit:

- `exam_identity` records what the folder holds (title, seed, banks, students). Two exams are
  the same when their seed and banks are: variants depend only on (seed, student id, question
  id), so regenerating with a changed roster, title, course or language is the same exam and
  needs no ``--force``; anything else is another exam, and `check_same_exam` refuses it.
- `ExamFiles.tags` ties every per-student file to a digest of that student's variant, and every
  combined PDF to a digest of the variants it holds, so `ExamFiles.stale` can tell which earlier
  files no longer match the key: those of students who left the roster or whose variant changed
  (a bank was edited), and combined PDFs whose students changed. A worksheet never outlives
  the key it belongs to.
"""

from __future__ import annotations

__all__ = ["PER_STUDENT", "ExamFiles", "check_same_exam", "describe_exam", "exam_identity", "existing_exam", "same_exam", "variant_digests"]

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import Location, QuizgenError
from .exam import Exam
from .outdir import Entry, read_manifest
from .render.slicing import parse_shard, safe_names
from .spec import spec_to_mapping

PER_STUDENT = ("students", "keys", "practice")  # the folders of per-student files
_COMBINED = re.compile(r"(?:class|keys|answers)(?:-(\d+)-of-(\d+))?\.(?:pdf|csv)")  # a set of students in one file
EXAM_COMMANDS = frozenset({"generate", "render"})


def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def variant_digests(exam: Exam) -> dict[str, str]:
    """student id -> digest of what that student's documents ask (the same in every language).

    Built from each question's network, answer, prompt and details rather than the whole key
    entry: the worked solutions and mistakes follow from those, and serialising them costs ten
    times as much (4 s against 0.4 s for 400 students of seed-examples)."""
    digests = {}
    for variant in exam.variants:
        questions = [[q.id, q.kind.value, q.points, q.layer, q.answer, dict(q.prompt), dict(q.details), spec_to_mapping(q.spec)]
                     for q in variant.questions]
        digests[variant.student_id] = _digest([variant.student_id, variant.student_name, variant.code, questions])
    return digests


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


class ExamFiles:
    """The files of one exam in its folder: `tags` for a commit, and `stale` to tell which earlier
    files no longer match the key (variant digests are worked out once, here)."""

    def __init__(self, exam: Exam) -> None:
        self.exam = exam
        self.digests = variant_digests(exam)
        self.by_stem = dict(zip(safe_names([v.student_id for v in exam.variants]), (v.student_id for v in exam.variants),
                                strict=True))

    def tags(self, rel: str) -> dict[str, str]:
        """Tags of a file a generate or render run wrote, by its path relative to the folder."""
        path = PurePosixPath(rel)
        if len(path.parts) == 2 and path.parts[0] in PER_STUDENT and path.stem in self.by_stem:
            student = self.by_stem[path.stem]
            return {"student": student, "variant": self.digests[student]}
        if len(path.parts) == 1 and (match := _COMBINED.fullmatch(rel)):
            shard = f"{match.group(1)}/{match.group(2)}" if match.group(1) else ""
            return {"shard": shard, "variants": self._set_digest(shard)}
        return {}

    def _set_digest(self, shard: str) -> str:
        part = parse_shard(shard) if shard else None
        positions = part.slice(len(self.exam.variants)) if part is not None else range(len(self.exam.variants))
        return _digest([self.digests[self.exam.variants[p].student_id] for p in positions])

    def stale(self, *, everything: bool = False) -> Callable[[Entry], bool]:
        """Which earlier files a run for this exam removes: all of quizgen's (``everything``: the folder
        held another exam, replaced with --force), else the worksheets, keys and practice pages that
        no longer match the key. key.json and the outputs of other commands (grade) stay."""

        def stale(entry: Entry) -> bool:
            if everything:
                return True
            if entry.command not in EXAM_COMMANDS:
                return False
            if "student" in entry.tags:
                return self.digests.get(entry.tags["student"]) != entry.tags.get("variant")
            if "variants" in entry.tags:
                try:
                    return self._set_digest(entry.tags.get("shard", "")) != entry.tags["variants"]
                except QuizgenError:
                    return True
            return False

        return stale
