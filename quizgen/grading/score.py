"""Grade one answer: parse it, compare it with the key, and name the mistake behind a wrong one.

Diagnosis is a lookup: key.json stores the value of every likely mistake (and pair), so a wrong
answer equal to one of them is explained by that mistake's stored explanation, which already
quotes the numbers. Parsed answers are cached per (how to read, text) and each question's
mistakes are indexed by value once, so a class of thousands grades in a blink.
"""

from __future__ import annotations

__all__ = ["Grader"]

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import AnswerParseError
from ..exam import COUNT_KINDS, MistakeValue, Question, QuestionKind
from .answers import MISSING_DIM, is_blank, parse_values, rounding_unit, split_parts
from .formulas import FormulaJudge
from .model import AnswerGrade, CellGrade, GradingOptions, Verdict
from .parse import BlankAnswer, ParsedNumber, ParsedShape, parse_choice, parse_count, parse_shape, shape_matches
from .text import gt


@dataclass(frozen=True, slots=True)
class _Outcome:
    verdict: Verdict
    credit: float
    mistake: MistakeValue | None = None
    explanation: str = ""


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join("None" if v is None else "?" if v == MISSING_DIM else str(v) for v in value) + ")"
    return str(value)


def _value_key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class Grader:
    """Grades answers of one exam with one set of options; holds the caches of a grading run."""

    def __init__(self, options: GradingOptions | None = None) -> None:
        self.options = options or GradingOptions()
        self.lang = self.options.lang
        self._counts: dict[tuple[bool, str], ParsedNumber | AnswerParseError] = {}
        self._shapes: dict[str, ParsedShape | AnswerParseError] = {}
        self._indexes: dict[int, tuple[Question, dict[str, dict[Any, MistakeValue]]]] = {}
        self.formulas = FormulaJudge()

    # --- entry point ----------------------------------------------------------------------

    def grade(self, q: Question, text: str) -> AnswerGrade:
        kind = q.kind
        if kind in COUNT_KINDS:
            outcome = self._count(q, text, q.answer, "")
        elif kind is QuestionKind.OUTPUT_SHAPE:
            outcome = self._shape_question(q, text)
        elif kind is QuestionKind.SUMMARY:
            return self._summary(q, text)
        elif kind is QuestionKind.MISSING_HYPERPARAMETER:
            outcome = self._values(q, text)
        elif kind is QuestionKind.FORMULA:
            outcome = self._formula(q, text)
        else:
            outcome = self._choice(q, text)
        return self._answer(q, text, outcome)

    def _answer(self, q: Question, text: str, outcome: _Outcome) -> AnswerGrade:
        credit = outcome.credit
        mistake = outcome.mistake
        return AnswerGrade(
            question_id=q.id, response=text, score=round(q.points * credit, 6), points=q.points, verdict=outcome.verdict,
            codes=mistake.codes[:1] if mistake else (), other_codes=mistake.codes[1:] if mistake else (),
            explanation=outcome.explanation,
        )

    # --- shared pieces --------------------------------------------------------------------

    def _index(self, q: Question) -> dict[str, dict[Any, MistakeValue]]:
        """Mistakes by cell, then by value; built on the first wrong answer to the question."""
        found = self._indexes.get(id(q))
        if found is not None and found[0] is q:
            return found[1]
        index: dict[str, dict[Any, MistakeValue]] = {}
        for m in q.mistakes:
            index.setdefault(m.cell, {}).setdefault(_value_key(m.value), m)
        self._indexes[id(q)] = (q, index)  # q is kept, so its id cannot be reused by another question
        return index

    def _solution(self, q: Question) -> str:
        steps = q.solution.get(self.lang) or q.solution.get("en") or ()
        return "; ".join(steps) if steps else _show(q.answer)

    def _explain(self, m: MistakeValue, prefix: str = "") -> str:
        text = m.explanation.get(self.lang) or m.explanation.get("en", "")
        return f"{prefix}; {text}" if prefix else text

    def _blank(self, correct: str) -> _Outcome:
        return _Outcome(Verdict.BLANK, 0.0, None, gt("blank_answer", self.lang).format(correct=correct))

    def _unreadable(self, error: AnswerParseError) -> _Outcome:
        return _Outcome(Verdict.UNPARSEABLE, 0.0, None, gt("unreadable", self.lang).format(message=error.bare_message))

    def _mistake(self, m: MistakeValue, prefix: str = "") -> _Outcome:
        return _Outcome(Verdict.MISTAKE, self.options.mistake_credit, m, self._explain(m, prefix))

    def _wrong(self, shown: str, correct: str, credit: float = 0.0) -> _Outcome:
        return _Outcome(Verdict.WRONG, credit, None, gt("unknown_wrong", self.lang).format(answer=shown, correct=correct))

    # --- counts ---------------------------------------------------------------------------

    def _parse_count(self, text: str, allow_rounding: bool) -> ParsedNumber | AnswerParseError:
        key = (allow_rounding, text)
        found = self._counts.get(key)
        if found is None:
            try:
                found = parse_count(text, allow_rounding=allow_rounding)
            except AnswerParseError as error:
                found = error
            self._counts[key] = found
        return found

    def _count(self, q: Question, text: str, answer: Any, cell: str, correct: str | None = None) -> _Outcome:
        parsed = self._parse_count(text, bool(q.details.get("allow_rounding")))
        if isinstance(parsed, AnswerParseError):
            if isinstance(parsed, BlankAnswer):
                return self._blank(correct or self._solution(q))
            return self._unreadable(parsed)
        value = parsed.value
        if parsed.exact:
            if value == answer:
                return _Outcome(Verdict.CORRECT, 1.0)
            mistakes = self._index(q).get(cell)
            m = mistakes.get(value) if mistakes else None
            if m is not None:
                return self._mistake(m)
            shown = text.strip() if text.strip() == str(value) else f"{text.strip()} = {value}"
            if isinstance(value, Fraction):
                shown = gt("not_whole", self.lang).format(answer=shown)
            return self._wrong(shown, correct or self._solution(q))
        return self._rounded(q, text, parsed, answer, cell, correct)

    def _rounded(self, q: Question, text: str, parsed: ParsedNumber, answer: Any, cell: str, correct: str | None) -> _Outcome:
        """Rounding is allowed: within half of the last digit given counts (1.18M for 1181161)."""
        unit = rounding_unit(text)
        value = parsed.value
        prefix = gt("rounded_read", self.lang).format(answer=text.strip(), value=_show(value))
        if unit is None:
            if value == answer:
                return _Outcome(Verdict.CORRECT, 1.0)
            unit = Fraction(0)
        if isinstance(answer, int) and abs(value - answer) * 2 <= unit:
            return _Outcome(Verdict.CORRECT, 1.0)
        close = [m for m in self._index(q).get(cell, {}).values()
                 if isinstance(m.value, int) and abs(value - m.value) * 2 <= unit]
        if close:
            return self._mistake(min(close, key=lambda m: abs(value - m.value)), prefix)
        explanation = gt("rounded_outside", self.lang).format(answer=text.strip(), value=_show(value), expected=_show(answer),
                                                              correct=correct or self._solution(q))
        return _Outcome(Verdict.WRONG, 0.0, None, explanation)

    # --- shapes ---------------------------------------------------------------------------

    def _parse_shape(self, text: str) -> ParsedShape | AnswerParseError:
        found = self._shapes.get(text)
        if found is None:
            try:
                found = self._read_shape(text)
            except AnswerParseError as error:
                found = error
            self._shapes[text] = found
        return found

    @staticmethod
    def _read_shape(text: str) -> ParsedShape:
        if "part" not in text.casefold() and "部分" not in text:
            return parse_shape(text)
        parts, _ = split_parts(text)  # Moodle Cloze: one part per dimension
        if not parts or all(is_blank(p) for p in parts):
            raise BlankAnswer("no answer given")
        dims: list[int | None] = []
        for part in parts:
            if is_blank(part):
                dims.append(MISSING_DIM)
                continue
            shape = parse_shape(part)
            if len(shape.dims) != 1:
                raise AnswerParseError(f"expected one size per part, got {part!r}")
            dims.extend(shape.dims)
        return ParsedShape(tuple(dims), False)

    def _shape(self, q: Question, text: str, answer: Sequence[int | None], cell: str, per_dim: bool,
               correct: str | None = None) -> _Outcome:
        parsed = self._parse_shape(text)
        if isinstance(parsed, AnswerParseError):
            if isinstance(parsed, BlankAnswer):
                return self._blank(correct or self._solution(q))
            return self._unreadable(parsed)
        expected = tuple(answer)
        if shape_matches(parsed, expected):
            return _Outcome(Verdict.CORRECT, 1.0)
        dims = parsed.dims
        candidates = [dims]
        if parsed.batch_included:
            candidates.append((None, *dims))
        elif len(dims) == len(expected) + 1:
            candidates.append(dims[1:])
        aligned = dims if len(dims) == len(expected) else dims[1:] if len(dims) == len(expected) + 1 else None
        credit = 0.0
        if per_dim and aligned is not None and expected:
            credit = sum(1 for a, b in zip(aligned, expected, strict=True) if a == b) / len(expected)
        mistakes = self._index(q).get(cell, {})
        for key in candidates:
            m = mistakes.get(key)
            if m is not None:
                outcome = self._mistake(m)
                return _Outcome(outcome.verdict, max(outcome.credit, credit), m, outcome.explanation)
        return self._wrong(_show(dims), correct or self._solution(q), credit)

    def _shape_question(self, q: Question, text: str) -> _Outcome:
        return self._shape(q, text, q.answer, "", per_dim=True)

    # --- other kinds ----------------------------------------------------------------------

    def _values(self, q: Question, text: str) -> _Outcome:
        """Every value that fits: full credit for the exact set, a share for a correct subset."""
        try:
            given = parse_values(text)
        except AnswerParseError as error:
            return self._blank(self._solution(q)) if isinstance(error, BlankAnswer) else self._unreadable(error)
        accepted = frozenset(q.answer)
        if given == accepted:
            return _Outcome(Verdict.CORRECT, 1.0)
        missing, extra = sorted(accepted - given), sorted(given - accepted)
        credit = len(given) / len(accepted) if not extra and accepted else 0.0
        notes = [", ".join(map(str, sorted(given)))]
        if extra:
            notes.append(gt("values_extra", self.lang).format(values=", ".join(map(str, extra))))
        if missing:
            notes.append(gt("values_missing", self.lang).format(values=", ".join(map(str, missing))))
        notes.append(gt("correct_is", self.lang).format(correct=self._solution(q)))
        return _Outcome(Verdict.WRONG, credit, None, "; ".join(notes))

    def _formula(self, q: Question, text: str) -> _Outcome:
        if is_blank(text):
            return self._blank(self._solution(q))
        symbols = tuple(q.details.get("symbols") or ())
        judged = self.formulas.judge(symbols, str(q.answer), tuple(str(m.value) for m in q.mistakes), text)
        if isinstance(judged, AnswerParseError):
            return self._unreadable(judged)
        if judged is True:
            return _Outcome(Verdict.CORRECT, 1.0)
        if judged:
            first = q.mistakes[judged[0]]
            codes = tuple(dict.fromkeys(c for i in judged for c in q.mistakes[i].codes))
            merged = MistakeValue(codes, first.value, first.explanation, first.cell)
            return self._mistake(merged, gt("formula_equiv", self.lang).format(value=first.value))
        return self._wrong(text.strip(), self._solution(q))

    def _choice(self, q: Question, text: str) -> _Outcome:
        options = list(q.details.get("options") or [])
        if is_blank(text):
            return self._blank(self._solution(q))
        index: int | None = None
        # LMS reports give the chosen option's text (a number), worksheets a letter.
        parsed = self._parse_count(text, False)
        if isinstance(parsed, ParsedNumber) and parsed.value in options:
            index = options.index(parsed.value)
        if index is None:
            try:
                index = parse_choice(text, max(1, min(len(options), 26)))
            except AnswerParseError as error:
                return self._unreadable(error)
        if index == q.answer:
            return _Outcome(Verdict.CORRECT, 1.0)
        chosen = options[index] if index < len(options) else None
        shown = gt("choice_read", self.lang).format(letter=chr(ord("A") + index), value=_show(chosen))
        m = self._index(q).get("", {}).get(_value_key(chosen))
        if m is not None:
            return self._mistake(m, shown)
        return self._wrong(shown, self._solution(q))

    # --- summary tables -------------------------------------------------------------------

    def _summary(self, q: Question, text: str) -> AnswerGrade:
        answer: Mapping[str, Any] = q.answer
        rows = list(answer.get("rows", ()))
        cells: list[tuple[str, str, Any]] = []  # (cell, label, expected)
        for i, row in enumerate(rows):
            cells.append((f"{i}.shape", gt("cell.shape", self.lang).format(n=i + 1, name=row.get("name", "")), row.get("output_shape")))
            cells.append((f"{i}.params", gt("cell.params", self.lang).format(n=i + 1, name=row.get("name", "")), row.get("params")))
        cells.append(("total_params", gt("cell.total_params", self.lang), answer.get("total_params")))
        if is_blank(text):
            outcome = self._blank(self._solution(q))
            return AnswerGrade(q.id, text, 0.0, q.points, Verdict.BLANK, explanation=outcome.explanation)
        positional, labelled = split_parts(text)
        graded: list[CellGrade] = []
        for position, (cell, label, expected) in enumerate(cells):
            part = labelled.get(cell, "") if labelled else (positional[position] if position < len(positional) else "")
            shown = _show(expected)
            if cell.endswith(".shape"):
                outcome = self._shape(q, part, expected, cell, per_dim=False, correct=shown)
            else:
                outcome = self._count(q, part, expected, cell, correct=shown)
            codes = outcome.mistake.codes if outcome.mistake else ()
            graded.append(CellGrade(cell, label, part, outcome.verdict, outcome.credit, codes, outcome.explanation))
        return self._combine(q, text, graded, max(0, len(positional) - len(cells)))

    def _combine(self, q: Question, text: str, cells: list[CellGrade], extra_parts: int) -> AnswerGrade:
        verdicts = {c.verdict for c in cells}
        blank = [c.label for c in cells if c.verdict is Verdict.BLANK]
        if verdicts == {Verdict.CORRECT}:
            verdict = Verdict.CORRECT
        elif Verdict.MISTAKE in verdicts:
            verdict = Verdict.MISTAKE
        elif Verdict.WRONG in verdicts:
            verdict = Verdict.WRONG
        elif Verdict.UNPARSEABLE in verdicts:
            verdict = Verdict.UNPARSEABLE
        elif verdicts == {Verdict.BLANK}:
            verdict = Verdict.BLANK
        else:
            verdict = Verdict.WRONG  # correct cells and blank ones: incomplete
        notes = [f"{c.label}: {c.explanation}" for c in cells if c.explanation and c.verdict is not Verdict.BLANK]
        if blank and verdict is not Verdict.BLANK:
            notes.append(gt("cells_blank", self.lang).format(cells=", ".join(blank)))
        if extra_parts:
            notes.append(gt("parts_extra", self.lang).format(n=extra_parts))
        if verdict is Verdict.BLANK:
            notes = [gt("blank_answer", self.lang).format(correct=self._solution(q))]
        credit = sum(c.credit for c in cells) / len(cells)
        codes = tuple(dict.fromkeys(c.codes[0] for c in cells if c.codes))
        others = tuple(dict.fromkeys(code for c in cells for code in c.codes[1:] if code not in codes))
        return AnswerGrade(q.id, text, round(q.points * credit, 6), q.points, verdict, codes, others, " | ".join(notes), tuple(cells))
