"""Every shipped bank exports in every format: valid QTI, GIFT that parses, cloze Moodle can read."""

from __future__ import annotations

import io
import re
import zipfile
from fractions import Fraction
from functools import cache

import pytest
from test_export_support import gift_parser, moodle_blanks, qti_schema

from quizgen.bank import load_bank
from quizgen.exam import DECIMAL_KINDS, Exam, QuestionKind
from quizgen.generate import generate_exam
from quizgen.grading.decimals import exact_value, tolerance_of
from quizgen.grading.model import Verdict
from quizgen.grading.score import Grader
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


def _decimal_answers(exam: Exam, fmt: LmsFormat) -> dict[str, tuple[Fraction, Fraction]]:
    """Per exported question name, the (lowest, highest) response the LMS gives full marks."""
    data = export_exam(exam, fmt)
    found: dict[str, tuple[Fraction, Fraction]] = {}
    if fmt is LmsFormat.MOODLE:
        for element in etree.fromstring(data).iter("question"):
            answer = next((a for a in element.iter("answer") if a.get("fraction") == "100"), None)
            if element.get("type") == "numerical" and answer is not None:
                centre, tol = Fraction(answer.findtext("text")), Fraction(answer.findtext("tolerance"))
                found[element.findtext("name/text")] = (centre - tol, centre + tol)
    elif fmt is LmsFormat.GIFT:
        for name, centre, tol in re.findall(r"^::(.+?)::.*?\{#\n\t=([-0-9.]+):([0-9.]+)#", data.decode("utf-8"), re.M | re.S):
            found[name] = (Fraction(centre) - Fraction(tol), Fraction(centre) + Fraction(tol))
    else:
        archive = zipfile.ZipFile(io.BytesIO(data))
        name = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".xml") and not n.endswith("assessment_meta.xml"))
        for item in etree.fromstring(archive.read(name)).iter("{*}item"):
            low, high = item.find(".//{*}vargte"), item.find(".//{*}varlte")
            if low is not None and high is not None:
                found[item.get("title")] = (Fraction(low.text), Fraction(high.text))
    return found


@pytest.mark.parametrize("fmt", [LmsFormat.MOODLE, LmsFormat.GIFT, LmsFormat.QTI])
def test_decimal_answers_are_accepted_where_quizgen_grade_accepts_them(fmt: LmsFormat) -> None:
    """Memory and ratio answers: the LMS range is centred on the exact value, as the grader's is, not on
    the stated rounded one (an exact 4.09976 stated as 4.1 took 4.1049 in Moodle, quizgen called it wrong)."""
    grader = Grader()
    checked = off_centre = 0
    for bank in ("memory", "design-ratios"):
        exam = _exam(bank)
        ranges = _decimal_answers(exam, fmt)
        for entry in (e for g in exam_groups(exam) for e in g.entries if e.question.kind in DECIMAL_KINDS):
            q = entry.question
            low, high = ranges[entry.name]
            exact, stated, tol = exact_value(q.answer, q.details), Fraction(str(q.answer)), tolerance_of(q.details)
            off_centre += exact != stated
            for probe in (exact - tol * 6 / 5, exact - tol * 4 / 5, exact + tol * 4 / 5, exact + tol * 6 / 5,
                          stated - tol * 49 / 50, stated + tol * 49 / 50):
                text = f"{float(probe):.9f}"
                lms = low <= Fraction(text) <= high
                assert lms == (grader.grade(q, text).verdict is Verdict.CORRECT), (fmt, entry.name, text, float(exact))
            checked += 1
    assert checked >= 10 and off_centre >= 5
