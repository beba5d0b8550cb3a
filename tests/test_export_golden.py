"""Golden files: the small bank exported in each format (run pytest --update-golden to rewrite).

Volatile parts are stripped: the quizgen version, and the layer diagrams (drawn by
quizgen.render, tested there): their bytes and their content-derived file names.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from test_export_support import TESTS, small_exam

from quizgen import __version__
from quizgen.lms import LmsFormat, export_exam

GOLDEN = TESTS / "golden" / "lms"


_DIAGRAM_NAME = re.compile(r"network[-_][0-9a-f]{12}")  # file names and manifest ids


def _stable(text: str) -> str:
    text = text.replace(f"quizgen {__version__}", "quizgen VERSION")
    text = re.sub(r'(<file name="[^"]+" path="/" encoding="base64">)([^<]+)(</file>)', r"\1(diagram)\3", text)
    return _DIAGRAM_NAME.sub("network-DIAGRAM", text)


def _render(fmt: LmsFormat, lang: str) -> str:
    data = export_exam(small_exam(lang, 1), fmt)
    if fmt is not LmsFormat.QTI:
        return _stable(data.decode("utf-8"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = []
    for info in archive.infolist():
        body = archive.read(info)
        shown = "(diagram)" if info.filename.endswith(".svg") else _stable(body.decode("utf-8"))
        parts.append(f"==> {_stable(info.filename)} ({info.compress_type}, {info.date_time}) <==\n{shown}")
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
