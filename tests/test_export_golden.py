"""Golden files: the small bank exported in each format (run pytest --update-golden to rewrite).

Volatile parts are stripped: the quizgen version, and embedded diagram bytes (shown by digest,
so a diagram change shows as one line instead of a base64 wall).
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from test_export_support import TESTS, small_exam

from quizgen import __version__
from quizgen.lms import LmsFormat, export_exam

GOLDEN = TESTS / "golden" / "lms"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()[:16]


def _stable(text: str) -> str:
    text = text.replace(f"quizgen {__version__}", "quizgen VERSION")
    return re.sub(r'(<file name="[^"]+" path="/" encoding="base64">)([^<]+)(</file>)',
                  lambda m: m[1] + _digest(m[2].encode()) + m[3], text)


def _render(fmt: LmsFormat, lang: str) -> str:
    data = export_exam(small_exam(lang, 1), fmt)
    if fmt is not LmsFormat.QTI:
        return _stable(data.decode("utf-8"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for info in archive.infolist():
        body = archive.read(info)
        shown = _digest(body) if info.filename.endswith(".svg") else _stable(body.decode("utf-8"))
        parts.append(f"==> {info.filename} ({info.compress_type}, {info.date_time}) <==\n{shown}")
    return "\n".join(parts)


@pytest.mark.parametrize(("fmt", "lang", "name"), [
    (LmsFormat.MOODLE, "en", "small.moodle.xml"),
    (LmsFormat.GIFT, "en", "small.gift"),
    (LmsFormat.QTI, "en", "small.qti.txt"),
])
def test_golden(fmt: LmsFormat, lang: str, name: str, update_golden: bool) -> None:
    path: Path = GOLDEN / name
    actual = _render(fmt, lang)
    if update_golden or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not update_golden:
            pytest.fail(f"{path} did not exist; written now, check it in")
    assert actual == path.read_text(encoding="utf-8"), f"{name} changed; if intended, run pytest --update-golden"
