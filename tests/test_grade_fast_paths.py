"""The grader's cheaper paths give exactly the grade of the full path (issue 15), on a corpus of answers:
right ones, every stored mistake, garbage, unicode, huge numbers, formulas, summary tables answered in
one part, a few parts, every part, labelled or as LMS blanks, and decimals at the very edge of every
tolerance (a hair inside, exactly on, a hair outside, for the answer and for every mistake value).

The full paths are the code the cheap ones skip:
- decimals: Fraction arithmetic for every comparison (``decimals.apart`` never rules first);
- summary tables: an empty cell graded by the shape and count graders (``cells._blank_cell``);
- cell names worded afresh every time (``cells.CellLabels``);
- every text scanned for Moodle part labels (``score.may_hold_part_label`` skips ASCII without p or P);
- a diagnosed formula compared with the key's spelling afresh every time (``Grader._written_alike``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from fractions import Fraction
from typing import Any

import pytest
from fixtures.grading.answers import correct_text, make_exam, mistake_text, summary_parts

from quizgen.bank import load_bank
from quizgen.exam import DECIMAL_KINDS, Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.grading import cells, decimals, score
from quizgen.grading.cells import cell_label, cloze_keys
from quizgen.grading.feedback import PageModel
from quizgen.grading.model import AnswerGrade, GradingOptions, StudentGrade
from quizgen.grading.parse import normalize
from quizgen.grading.score import _FORMULA_NOISE, Grader
from quizgen.resources import banks_dir
from quizgen.roster import numbered_students

GARBAGE = ["", " ", "-", "--", "N/A", "无", "banana", "？", "(26, 26", "18207 apples", "x*y*", "1/0", "0", "-0", "+5", "-17", "1e308",
           "1e309", "1e-300", "9" * 400, "1" + "0" * 330, "0." + "0" * 300 + "1", "１２３", "٣", "½", "²", "1,234", "1，234",
           "12 345", "3.14159", ".5", "5.", "1_000", "0x1F", "NaN", "inf", "-inf", "=1+1", "@sum", "<script>alert(1)</script>",
           "part 1: 3; part 1: 4", "part 1: 7", "部分 1: 3", "C_out*(K_h*K_w*C_in+1)", "C_in + C_out", "K*K*C_in*C_out",
           "(None, 26, 26, 32)", "26x26x32", "torch.Size([1, 32, 26, 26])", "A", "b", "Z", "12%", "3.5 MiB", "2.5×", "≈1.18M",
           "1.18e6", "118万", "a,b\nc", "0.1152", "0.12", "0.1", "100.0%", "\x00", "\u200b5", "  42  ", "PART 1: 5", "Part 2: 3; part 1: 4",
           "ｐａｒｔ 1: 5", "part1:5", "p", "partial", "C_out * K_h*K_w *C_in", "C_out·K_h·K_w·C_in", "K_h*K_w*C_in*C_out"]


def _shipped_exam() -> list[Question]:
    """Questions of every kind the shipped banks have (ratio and memory among them), three variants each."""
    banks = []
    for path in sorted(banks_dir().glob("*.yaml")):
        bank = load_bank(path)
        banks.append(dataclasses.replace(bank, templates=bank.templates[:12]))
    exam, _ = generate_exam(banks, 11, numbered_students(3))
    return [q for v in exam.variants for q in v.questions]


QUESTIONS = [*(q for v in make_exam(count=2).variants for q in v.questions), *_shipped_exam()]


def _decimal_edges(q: Question) -> Iterator[str]:
    """Texts a hair inside, on and a hair outside the tolerance of the answer and of every mistake."""
    tolerance = decimals.tolerance_of(q.details)
    targets = [decimals.exact_value(q.answer, q.details)]
    targets += [decimals.exact_value(m.value, {}) for m in q.mistakes if not m.cell and isinstance(m.value, (int, float))]
    for target in targets:
        for offset in (tolerance, tolerance * Fraction(999_999, 1_000_000), tolerance * Fraction(1_000_001, 1_000_000)):
            for edge in (target + offset, target - offset):
                yield f"{float(edge):.17g}"
                yield _exact_decimal(edge)


def _exact_decimal(value: Fraction) -> str:
    """``value`` written out to 40 places (exact for these denominators, else cut)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = value.numerator // value.denominator
    rest = value - whole
    digits = "".join(str((rest * 10**k).numerator // (rest * 10**k).denominator % 10) for k in range(1, 41))
    return f"{sign}{whole}.{digits}"


def _summary_texts(q: Question) -> Iterator[str]:
    parts = summary_parts(q)
    for k in (1, 2, 3, len(parts) // 2, len(parts) - 1, len(parts)):
        yield "; ".join(parts[:k])
        yield "; ".join([*parts[: k - 1], "banana"])
        yield "; ".join(["", *parts[1:k]])
    yield "; ".join(parts[:2] + [""] * 3 + parts[5:])
    yield "; ".join(f"{i}.params: {row['params']}" for i, row in enumerate(q.answer["rows"]))
    yield "; ".join(["0.shape: (1, 2)", f"total_params: {q.answer['total_params']}"])
    keys = cloze_keys(q.answer)
    yield "; ".join(f"part {i + 1}: {7 if i % 3 else ''}" for i in range(len(keys)))
    yield ",".join("5" for _ in keys)
    yield "\n".join(parts)


def corpus(q: Question) -> Iterator[str]:
    yield correct_text(q)
    for m in q.mistakes:
        yield mistake_text(q, m)
    yield from GARBAGE
    if q.kind is QuestionKind.SUMMARY:
        yield from _summary_texts(q)
    if q.kind in DECIMAL_KINDS:
        yield from _decimal_edges(q)
    if isinstance(q.answer, (int, float)) and not isinstance(q.answer, bool):
        yield str(Fraction(str(q.answer)) * 10**400)


def _full_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(score, "apart", lambda value, target, tolerance: False)
    monkeypatch.setattr(score, "may_hold_part_label", lambda text: True)
    monkeypatch.setattr(score.Grader, "_written_alike", lambda self, text, formula: _FORMULA_NOISE.sub("", normalize(text)) ==
                        _FORMULA_NOISE.sub("", normalize(formula)))

    def blank_cell_in_full(grader: Grader, q: Question, cell: str, expected: Any, shape: bool) -> Any:
        if shape:
            outcome = grader._shape(q, "", expected, cell, per_dim=False)
            return cells.CellGrade(cell, "", outcome.verdict, outcome.credit, outcome.mistake.codes if outcome.mistake else (),
                                   outcome.explanation)
        return cells._count_cell(grader, q, cell, "", expected)

    monkeypatch.setattr(cells, "_blank_cell", blank_cell_in_full)
    monkeypatch.setattr(cells.CellLabels, "__call__", lambda self, q, cell: cell_label(q, cell, self.lang))


def _grade_all(options: GradingOptions) -> list[AnswerGrade]:
    grader = Grader(options)
    return [grader.grade(q, text) for q in QUESTIONS for text in corpus(q)]


@pytest.mark.parametrize("options", [GradingOptions(), GradingOptions(lang="zh", mistake_credit=0.25),
                                     GradingOptions(any_accepted_value=True)], ids=["en", "zh-credit", "lms"])
def test_cheap_paths_grade_as_the_full_paths(options: GradingOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = _grade_all(options)
    kinds = {q.kind for q in QUESTIONS}
    assert {QuestionKind.RATIO, QuestionKind.MEMORY, QuestionKind.SUMMARY, QuestionKind.FORMULA} <= kinds
    assert len(cheap) > 5000
    with monkeypatch.context() as full:
        _full_paths(full)
        assert _grade_all(options) == cheap


def test_the_corpus_reaches_every_verdict_and_both_sides_of_the_decimal_edges() -> None:
    grades = _grade_all(GradingOptions())
    assert {g.verdict.value for g in grades} == {"correct", "mistake", "wrong", "unparseable", "blank"}
    ratio = next(q for q in QUESTIONS if q.kind is QuestionKind.RATIO)
    edges = {Grader().grade(ratio, text).verdict.value for text in _decimal_edges(ratio)}
    assert {"correct", "wrong"} <= edges


def test_pages_name_cells_as_the_full_path(monkeypatch: pytest.MonkeyPatch) -> None:
    grader = Grader()
    summaries = [q for q in QUESTIONS if q.kind is QuestionKind.SUMMARY]
    students = []
    for q in summaries:
        variant = dataclasses.replace(make_exam(count=1).variants[0], questions=(q,))
        students += [StudentGrade.of(variant, 2, (grader.grade(q, text),)) for text in _summary_texts(q)]
    cheap = [PageModel("en").spec(s) for s in students]
    with monkeypatch.context() as full:
        _full_paths(full)
        assert [PageModel("en").spec(s) for s in students] == cheap
