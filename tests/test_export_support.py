"""Shared by the LMS export tests: the small exam, the QTI schema, an independent GIFT parser.

(Named test_export_* to sit with the tests it serves; it holds fixtures, no tests.)
"""

from __future__ import annotations

import html
import re
import sys
import types
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.exam import Exam
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students

TESTS = Path(__file__).resolve().parent
SMALL_BANK = TESTS / "fixtures" / "lms" / "small.yaml"
SHARED_LMS = TESTS.parent.parent / "shared" / "lms"
VENDORED_LMS = TESTS / "fixtures" / "lms" / "reference"
SEED = 7


@cache
def small_exam(lang: str = "en", count: int = 4) -> Exam:
    exam, _ = generate_exam([load_bank(SMALL_BANK)], SEED, numbered_students(count), lang=lang)
    return exam


def shared(path: str) -> Path:
    """A reference file: from ../shared/lms, else the copy in tests/fixtures/lms/reference (see its
    SOURCES.txt); the tests that need a file found in neither place skip."""
    for root in (SHARED_LMS, VENDORED_LMS):
        if (root / path).exists():
            return root / path
    pytest.skip(f"reference file {path} is in neither {SHARED_LMS} nor {VENDORED_LMS}")


@cache
def qti_schema() -> Any:
    """The IMS QTI ASI 1.2.1 schema, its import of xml.xsd resolved to the local copy (no network)."""
    etree = pytest.importorskip("lxml.etree")
    schemas = shared("schemas")

    class Offline(etree.Resolver):  # type: ignore[misc, name-defined]
        def resolve(self, url: str, pubid: str, context: Any) -> Any:
            if url.endswith("xml.xsd"):
                return self.resolve_filename(str(schemas / "xml.xsd"), context)
            return None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Offline())
    return etree.XMLSchema(etree.parse(str(schemas / "qti12" / "ims_qtiasiv1p2p1.xsd"), parser))


def gift_parser() -> Any:
    """pygiftparser's parseFile. Its Markdown<3.1 dependency imports pkg_resources (gone from
    setuptools >= 81) only to look up extensions, so a stand-in without any suffices; the
    package's own import-time deprecation warnings are not ours to fix."""
    if "pkg_resources" not in sys.modules:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pkg_resources  # noqa: F401
        except ImportError:
            stand_in = types.ModuleType("pkg_resources")
            stand_in.iter_entry_points = lambda *args, **kwargs: iter(())  # type: ignore[attr-defined]
            sys.modules["pkg_resources"] = stand_in
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parser = pytest.importorskip("pygiftparser.parser")
    return parser.parseFile


# Moodle's cloze parser (question/type/multianswer/questiontype.php), ported: its regular
# expressions decide where a blank and each of its answers and feedbacks end.
_ALT = r"(?:=|%-?[0-9]+(?:[.,][0-9]*)?%)?.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$)(?:#.*?(?<!\\)(?=[~}]|$))?"
_BLANK = re.compile(r"\{([0-9]*):(NUMERICAL|NM|SHORTANSWER|SA|MW):(" + _ALT + r"(?:~" + _ALT + r")*)\}", re.S)
_ONE = re.compile(r"~?(?P<fraction>=|%(?P<percent>-?[0-9]+(?:[.,][0-9]*)?)%)?(?P<answer>.+?(?<!\\)(?<!&)(?<!&amp;)(?=[~#}]|$))"
                  r"(?:#(?P<feedback>.*?(?<!\\)(?=[~}]|$)))?", re.S)


def moodle_blanks(text: str) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(type, [(fraction, answer, feedback as plain text)])] the way Moodle reads them."""
    out = []
    for match in _BLANK.finditer(text):
        alts = []
        for alt in _ONE.finditer(match[3]):
            fraction = "100" if alt["fraction"] == "=" else (alt["percent"] or "0")
            feedback = html.unescape(alt["feedback"] or "").replace("\\}", "}").replace("\\#", "#")  # Moodle's decoding
            alts.append((fraction, alt["answer"], html.unescape(feedback)))
        out.append((match[2], alts))
    return out
