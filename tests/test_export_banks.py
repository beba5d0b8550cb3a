"""Every shipped bank exports in every format: valid QTI, GIFT that parses, cloze Moodle can read."""

from __future__ import annotations

import io
import zipfile
from functools import cache

import pytest
from test_export_support import gift_parser, moodle_blanks, qti_schema

from quizgen.bank import load_bank
from quizgen.exam import Exam, QuestionKind
from quizgen.generate import generate_exam
from quizgen.lms import LmsFormat, cloze_parts, export_exam
from quizgen.lms.groups import exam_groups
from quizgen.resources import banks_dir
from quizgen.roster import numbered_students

etree = pytest.importorskip("lxml.etree")
BANKS = sorted(path.stem for path in banks_dir().glob("*.yaml"))


@cache
def _exam(bank: str) -> Exam:
    exam, _ = generate_exam([load_bank(banks_dir() / f"{bank}.yaml")], 5, numbered_students(12))
    return exam


@pytest.mark.parametrize("bank", BANKS)
def test_qti_is_valid(bank: str) -> None:
    archive = zipfile.ZipFile(io.BytesIO(export_exam(_exam(bank), LmsFormat.QTI)))
    name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".xml") and not n.endswith("assessment_meta.xml"))
    schema = qti_schema()
    assert schema.validate(etree.fromstring(archive.read(name))), schema.error_log


@pytest.mark.parametrize("bank", BANKS)
def test_gift_parses_back(bank: str) -> None:
    exam = _exam(bank)
    parsed = gift_parser()(io.StringIO(export_exam(exam, LmsFormat.GIFT).decode("utf-8")))
    assert len(parsed) == sum(len(g.entries) for g in exam_groups(exam))
    assert all(q.valid for q in parsed), [q.title for q in parsed if not q.valid]


@pytest.mark.parametrize("bank", BANKS)
def test_moodle_cloze_blanks_match_the_cells(bank: str) -> None:
    exam = _exam(bank)
    root = etree.fromstring(export_exam(exam, LmsFormat.MOODLE))
    by_name = {e.name: e.question for g in exam_groups(exam) for e in g.entries}
    questions = [q for q in root.iter("question") if q.get("type") != "category"]
    assert len(questions) == len(by_name)
    for element in questions:
        source = by_name[element.findtext("name/text")]
        if source.kind in (QuestionKind.OUTPUT_SHAPE, QuestionKind.SUMMARY):
            blanks = moodle_blanks(element.findtext("questiontext/text") or "")
            assert len(blanks) == len(cloze_parts(source))
            assert all(alts[0][0] == "100" and alts[-1][1] == "*" for _, alts in blanks)
