"""Practice pages check memory and ratio answers as the grader does (they said "cannot check itself").

A decimal answer is right within half a unit of the last stated place of the exact value. The page holds
tags on a grid one place finer than the key states, for every value the grader's rule accepts and every
value it calls a mistake; these tests put typed answers on that grid and compare the page's verdict with
`quizgen grade`'s on the same text.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from test_practice_html import page_data

from quizgen.bank import load_bank
from quizgen.exam import DECIMAL_KINDS, Exam, Question
from quizgen.generate import generate_exam
from quizgen.grading.decimals import exact_value, parse_decimal, tolerance_of
from quizgen.grading.score import Grader
from quizgen.practice.boxes import canon_decimal
from quizgen.practice.html import practice_page
from quizgen.practice.seal import open_sealed, seal_key, tag
from quizgen.roster import numbered_students


@pytest.fixture(scope="module")
def exam() -> Exam:
    banks = [load_bank("memory"), load_bank("design-ratios")]
    return generate_exam(banks, 7, numbered_students(6))[0]


def _page_verdict(data: dict, box: str, text: str) -> tuple[str, tuple[str, ...]]:
    item = data["boxes"][box]
    value = canon_decimal(parse_decimal(text), item["digits"])
    t = tag(data["salt"], box, value)
    if t in item["answer"]:
        assert open_sealed(seal_key("sol", data["salt"], box, value), item["solution"][t])  # the solution opens
        return "correct", ()
    if t in item["mistakes"]:
        opened = json.loads(open_sealed(seal_key("key", data["salt"], box, value), item["mistakes"][t]))
        return "mistake", tuple(opened["codes"])
    return "wrong", ()


def _texts(q: Question) -> list[str]:
    exact = exact_value(q.answer, q.details)
    unit = Fraction(2) * tolerance_of(q.details)
    texts = [str(q.answer), f"{q.answer} {q.details.get('unit', '')}".strip(), f"{float(exact):.7f}"]
    for step in (Fraction(4, 10), Fraction(-4, 10), Fraction(6, 10), Fraction(-6, 10), Fraction(3), Fraction(-17, 10)):
        texts.append(f"{float(exact + step * unit):.{len(str(unit.denominator))}f}")
    for m in q.mistakes:
        if not m.cell and isinstance(m.value, (int, float)):
            texts += [str(m.value), f"{float(Fraction(str(m.value)) + unit / 5):.9f}"]
    return texts


def test_the_page_judges_decimal_answers_as_the_grader(exam: Exam) -> None:
    grader = Grader()
    compared = mistakes = 0
    for variant in exam.variants:
        data = page_data(practice_page(exam, variant))
        for number, q in enumerate(variant.questions, start=1):
            if q.kind not in DECIMAL_KINDS:
                continue
            assert data["boxes"][f"q{number}"]["kind"] == "decimal"
            for text in _texts(q):
                graded = grader.grade(q, text)
                page = _page_verdict(data, f"q{number}", text)
                assert page == (graded.verdict.value, (*graded.codes, *graded.other_codes) if graded.verdict.value == "mistake" else ()), \
                    (q.id, text, q.answer, page, graded.verdict, graded.codes)
                compared += 1
                mistakes += page[0] == "mistake"
    assert compared > 500 and mistakes > 100


def test_canonical_grid_value() -> None:
    assert canon_decimal(Fraction("642.0390625"), 3) == "642039"
    assert canon_decimal(Fraction("642.0395"), 3) == "642040"  # the nearest grid value, half up
    assert canon_decimal(Fraction("-12.34"), 1) == "-123"
    assert canon_decimal(Fraction("-12.35"), 1) == "-123"  # floor(x + 1/2), as the script computes it
