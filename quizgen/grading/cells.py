"""Summary tables, graded cell by cell; each cell earns its share of the question's points.

Two layouts are read:

- *rows*: each row's output shape and parameters, then the total, separated by ';' or new
  lines (a worksheet answer, JSON lines), or labelled ``0.shape: ...; 0.params: ...``;
- *cloze*: the blanks of the LMS export (`quizgen.lms.cloze_parts`): one blank per shape
  dimension of each row and the row's parameters, then total, trainable and non-trainable
  parameters, as a Moodle report prints them: ``part 1: 26; part 2: 26; ...``.

The layout follows from the number of parts (the cloze layout always has more). In the cloze
layout a row's dimensions are put back together so a whole-shape mistake (channel order, a
missing +1) is still recognised; the blanks it got wrong carry its code.
"""

from __future__ import annotations

__all__ = ["CellLabels", "cell_label", "cloze_keys", "grade_summary"]

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import AnswerParseError
from ..exam import Question
from .answers import MISSING_DIM, is_blank
from .gcpause import detached
from .model import AnswerGrade, CellGrade, Verdict
from .parse import parse_shape, shape_matches
from .score import _show
from .text import gt

if TYPE_CHECKING:
    from .score import Grader

_TOTALS = ("total_params", "trainable_params", "non_trainable_params")


def cell_label(q: Question, cell: str, lang: str) -> str:
    """"row 2 (flatten) parameters" for cell "1.params"; "..., dimension 3" for "1.shape.2"."""
    if cell in _TOTALS:
        return gt(f"cell.{cell}", lang)
    index, _, part = cell.partition(".")
    name = q.answer["rows"][int(index)].get("name", "")
    kind, _, dim = part.partition(".")
    label = gt(f"cell.{kind}", lang).format(n=int(index) + 1, name=name)
    return f"{label}, {gt('cell.dim', lang).format(n=int(dim) + 1)}" if dim else label


class CellLabels:
    """`cell_label` for one language, each (cell, row name) worded once: a table answered with a number or
    two names every other cell as blank, and feedback pages name the cells again."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.made: dict[tuple[str, str], str] = {}

    def __call__(self, q: Question, cell: str) -> str:
        if cell in _TOTALS:
            name = ""
        else:
            name = q.answer["rows"][int(cell.partition(".")[0])].get("name", "")
            if not isinstance(name, str):  # a hand-edited key: worded as it is, every time
                return cell_label(q, cell, self.lang)
        found = self.made.get((cell, name))
        if found is None:
            found = self.made[(cell, name)] = cell_label(q, cell, self.lang)
        return found


@cache
def _cloze_keys(ranks: tuple[int, ...]) -> tuple[str, ...]:
    keys: list[str] = []
    for i, rank in enumerate(ranks):
        keys.extend(f"{i}.shape.{d}" for d in range(rank))
        keys.append(f"{i}.params")
    return (*keys, *_TOTALS)


def cloze_keys(answer: Mapping[str, Any]) -> tuple[str, ...]:
    """The cloze blanks of a summary answer, in order (the same as quizgen.lms.cloze_parts)."""
    return _cloze_keys(tuple(len(row["output_shape"]) for row in answer["rows"]))


def grade_summary(grader: Grader, q: Question, text: str) -> AnswerGrade:
    if is_blank(text):
        blank = grader._blank(grader._solution(q))
        return AnswerGrade(q.id, text, 0.0, q.points, Verdict.BLANK, explanation=blank.explanation, diagnosis=blank.diagnosis)
    answer: Mapping[str, Any] = q.answer
    # A right table is right for every question with the same answer (compared, not assumed).
    seen = grader._right_summaries.get((q.id, text))
    if seen is not None and seen[0] == answer and seen[1].points == q.points:
        return seen[1]
    positional, labelled = grader._split(text)
    rows = answer.get("rows", ())
    keys = cloze_keys(answer)
    if len(positional) == 1 and not labelled:
        positional = _canvas_blanks(positional[0], len(keys)) or positional
    numbered = text.lstrip()[:4].casefold() == "part"
    cloze = (any(k.count(".") == 2 for k in labelled) if labelled
             else len(positional) == len(keys) or (numbered and len(positional) > 2 * len(rows) + 1))
    if cloze:
        graded = _cloze(grader, q, answer, [labelled.get(k, "") for k in keys] if labelled else positional, keys)
        extra = 0 if labelled else max(0, len(positional) - len(keys))
    else:
        graded = _rows(grader, q, answer, positional, labelled)
        extra = 0 if labelled else max(0, len(positional) - len(graded))
    if extra == 0 and all(c.verdict is Verdict.CORRECT for c in graded):
        grade = grader._right_grade(q, text, tuple(graded))
        grader._right_summaries[(q.id, text)] = (answer, grade)
        return grade
    return _combine(grader, q, text, graded, extra)


_CANVAS_COMMA = re.compile(r"(?<!\\),")


def _canvas_blanks(text: str, count: int) -> list[str] | None:
    """Canvas' Student Analysis joins the blanks of a fill-in-multiple-blanks question with ',' (a comma typed
    in a blank escaped as '\\,'): ``26,26,32,320,...``. Read so when it gives exactly one part per blank
    and holds no bracket (a row's shape, ``(None, 26, 26, 32)``, is the rows layout)."""
    if any(c in text for c in "()[]{}"):
        return None
    parts = _CANVAS_COMMA.split(text)
    if len(parts) != count:
        return None
    return [part.replace("\\,", ",").strip() for part in parts]


def _right_cell(grader: Grader, cell: str, given: str) -> CellGrade:
    found = grader._right_cells.get((cell, given))
    if found is None:
        found = grader._right_cells[(cell, given)] = CellGrade(cell, given, Verdict.CORRECT, 1.0)
    return found


def _blank_cell(grader: Grader, q: Question, cell: str, expected: Any, shape: bool) -> CellGrade:
    """The grade of an empty cell, as the shape (``shape``) and count graders give it: blank, with the right
    value quoted, whatever the question (tests/test_grade_fast_paths.py). Tables answered with a number or
    two have many such cells."""
    shown = _show(expected)
    found = grader._blank_cells.get((cell, shown))
    if found is None:
        found = grader._blank_cells[(cell, shown)] = CellGrade(cell, "", Verdict.BLANK, 0.0, (), grader._blank(shown).explanation)
    return found


def _count_cell(grader: Grader, q: Question, cell: str, given: str, expected: Any) -> CellGrade:
    parsed = grader._counts.get((False, given))
    if parsed is None:
        parsed = grader._parse_count(given, False)
    if not isinstance(parsed, AnswerParseError) and parsed.exact and parsed.value == expected:
        return _right_cell(grader, cell, given)
    outcome = grader._count(q, given, expected, cell)
    return CellGrade(cell, given, outcome.verdict, outcome.credit, outcome.mistake.codes if outcome.mistake else (), outcome.explanation)


def _rows(grader: Grader, q: Question, answer: Mapping[str, Any], positional: Sequence[str],
          labelled: Mapping[str, str]) -> list[CellGrade]:
    cells: list[CellGrade] = []
    position = 0

    def given(cell: str) -> str:
        nonlocal position
        position += 1
        if labelled:
            return labelled.get(cell, "")
        return positional[position - 1] if position <= len(positional) else ""

    for i, row in enumerate(answer.get("rows", ())):
        cell = f"{i}.shape"
        text = given(cell)
        if not text:  # a part not given (a table answered in fewer parts): what _shape says of "", made once
            cells.append(_blank_cell(grader, q, cell, row["output_shape"], True))
            cell = f"{i}.params"
            text = given(cell)
            cells.append(_blank_cell(grader, q, cell, row["params"], False) if not text else
                         _count_cell(grader, q, cell, text, row["params"]))
            continue
        parsed = grader._shapes.get(text)
        if parsed is None:
            parsed = grader._parse_shape(text)
        if not isinstance(parsed, AnswerParseError) and shape_matches(parsed, tuple(row["output_shape"])):
            cells.append(_right_cell(grader, cell, text))
        else:
            outcome = grader._shape(q, text, row["output_shape"], cell, per_dim=False)
            cells.append(CellGrade(cell, text, outcome.verdict, outcome.credit, outcome.mistake.codes if outcome.mistake else (),
                                   outcome.explanation))
        cells.append(_count_cell(grader, q, f"{i}.params", given(f"{i}.params"), row["params"]))
    total = given("total_params")
    cells.append(_count_cell(grader, q, "total_params", total, answer.get("total_params")) if total else
                 _blank_cell(grader, q, "total_params", answer.get("total_params"), False))
    return cells


def _dimension(text: str) -> int | AnswerParseError | None:
    """One blank of a shape: a size, None (an unknown size), MISSING_DIM (blank) or the parser's error."""
    if is_blank(text):
        return MISSING_DIM
    try:
        dims = parse_shape(text).dims
    except AnswerParseError as error:
        return detached(error)
    if len(dims) == 1:
        return dims[0]
    return AnswerParseError(f"expected one size in this blank, got {text[:40]!r}", zh=f"这个空只应填一个尺寸,收到 {text[:40]!r}")


def _cloze(grader: Grader, q: Question, answer: Mapping[str, Any], parts: Sequence[str], keys: Sequence[str]) -> list[CellGrade]:
    given = {key: parts[i] if i < len(parts) else "" for i, key in enumerate(keys)}
    cells: list[CellGrade] = []
    lang = grader.lang
    for i, row in enumerate(answer.get("rows", ())):
        expected = list(row["output_shape"])
        names = [f"{i}.shape.{d}" for d in range(len(expected))]
        read = [_dimension(given[name]) for name in names]
        dims = [d if not isinstance(d, AnswerParseError) else MISSING_DIM for d in read]
        # The blanks put back together: a whole-shape mistake names what went wrong in each blank.
        mistake = None if dims == expected else next(
            (m for m in q.mistakes if m.cell == f"{i}.shape" and m.value == dims), None)
        for name, got, want in zip(names, read, expected, strict=True):
            text = given[name]
            if got == want:
                cells.append(_right_cell(grader, name, text))
            elif isinstance(got, AnswerParseError):
                cells.append(CellGrade(name, text, Verdict.UNPARSEABLE, 0.0, (), grader._unreadable(got).explanation))
            elif got == MISSING_DIM:
                cells.append(CellGrade(name, text, Verdict.BLANK, 0.0, (), gt("blank_answer", lang).format(correct=want)))
            elif mistake is not None:
                explanation = mistake.explanation.get(lang) or mistake.explanation.get("en", "")
                cells.append(CellGrade(name, text, Verdict.MISTAKE, grader.options.mistake_credit, mistake.codes, explanation))
            else:
                wrong = grader._wrong(str(got), "None" if want is None else str(want))
                cells.append(CellGrade(name, text, Verdict.WRONG, 0.0, (), wrong.explanation))
        cells.append(_count_cell(grader, q, f"{i}.params", given[f"{i}.params"], row["params"]))
    for key in _TOTALS:
        cells.append(_count_cell(grader, q, key, given[key], answer.get(key)))
    return cells


def _combine(grader: Grader, q: Question, text: str, cells: list[CellGrade], extra_parts: int) -> AnswerGrade:
    verdicts = {c.verdict for c in cells}
    if Verdict.MISTAKE in verdicts:
        verdict = Verdict.MISTAKE
    elif Verdict.WRONG in verdicts:
        verdict = Verdict.WRONG
    elif Verdict.UNPARSEABLE in verdicts:
        verdict = Verdict.UNPARSEABLE
    elif verdicts == {Verdict.BLANK}:
        verdict = Verdict.BLANK
    else:
        verdict = Verdict.WRONG  # right cells and blank ones (or extra parts): incomplete
    lang, label = grader.lang, grader.cell_labels
    notes = [f"{label(q, c.cell)}: {c.explanation}" for c in cells
             if c.explanation and c.verdict is not Verdict.BLANK and c.verdict is not Verdict.CORRECT]
    blank = [label(q, c.cell) for c in cells if c.verdict is Verdict.BLANK]
    if blank and verdict is not Verdict.BLANK:
        notes.append(gt("cells_blank", lang).format(cells=", ".join(blank)))
    if extra_parts:
        notes.append(gt("parts_extra", lang).format(n=extra_parts))
    if verdict is Verdict.BLANK:
        notes = [gt("blank_answer", lang).format(correct=grader._solution(q))]
    diagnosis = gt("no_answer", lang) if verdict is Verdict.BLANK else gt("see_cells", lang)
    credit = sum(c.credit for c in cells) / len(cells)
    codes = tuple(dict.fromkeys(c.codes[0] for c in cells if c.codes))
    others = tuple(dict.fromkeys(code for c in cells for code in c.codes[1:] if code not in codes))
    return AnswerGrade(q.id, text, round(q.points * credit, 6), q.points, verdict, codes, others, " | ".join(notes), tuple(cells),
                       diagnosis)

