"""The one file name every per-student file gets (worksheets, answer keys, practice pages, feedback
pages), so a student's files share a stem and no student id can make a file name unsafe.

An id reaches a file name only through `safe_names`: ASCII letters, digits, '.', '_' and '-',
at most 64 characters before the hash (a 300-character id would exceed the 255 bytes file
systems allow), never a name Windows reserves (``CON``, ``nul.txt``, ``COM1``: such a file
cannot be opened there whatever its extension), never hidden or empty, and unique even on
case-insensitive file systems. An id that had to change gets a short hash of the original, so
two ids that clean up to the same text still get different files.
"""

from __future__ import annotations

__all__ = ["MAX_NAME", "safe_names"]

import hashlib
import re
from collections.abc import Sequence

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Names Windows refuses for a file whatever its extension.
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))})
MAX_NAME = 64


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def safe_names(student_ids: Sequence[str]) -> list[str]:
    """A file name stem per student id (add the extension), in the order of ``student_ids``.

    Depends on the whole list (two ids equal but for case both get a hash), so callers pass the
    key's students in key order, and every file of one student gets the same stem."""
    stems = []
    for sid in student_ids:
        clean = _UNSAFE.sub("_", sid).strip("._-")[:MAX_NAME]
        head, dot, rest = clean.partition(".")
        if head.lower() in _RESERVED:  # Windows reserves the part before the first dot: nul.txt, nul.txt-1.html
            clean = f"{head}-{_digest(sid)}{dot}{rest}"
        elif clean != sid or not clean:
            clean = f"{clean}-{_digest(sid)}" if clean else f"student-{_digest(sid)}"
        stems.append(clean)
    folded: dict[str, int] = {}
    for stem in stems:
        folded[stem.lower()] = folded.get(stem.lower(), 0) + 1
    return [f"{stem}-{_digest(sid)}" if folded[stem.lower()] > 1 else stem for stem, sid in zip(stems, student_ids, strict=True)]
