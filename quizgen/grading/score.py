"""Grade one answer: parse it, compare it with the key, and name the mistake behind a wrong one.

Diagnosis is a lookup: key.json stores the value of every likely mistake (and pair), so a wrong
answer equal to one of them is explained by that mistake's stored explanation, which already
quotes the numbers. Parsed answers are cached per (how to read, text) and each question's
mistakes are indexed by value once, so a class of thousands grades in a blink.
"""

from __future__ import annotations

__all__ = ["Grader"]

import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, NamedTuple

from ..errors import AnswerParseError
from ..exam import COUNT_KINDS, DECIMAL_KINDS, MistakeValue, Question, QuestionKind
from ..squarekernel import square_kernel_names
from .answers import MISSING_DIM, is_blank, parse_values, part_labels_unreadable, rounding_unit, split_parts
from .decimals import apart, as_float, exact_value, parse_decimal, tolerance_of, within
from .formulas import FormulaJudge
from .gcpause import detached
from .model import AnswerGrade, CellGrade, GradingOptions, Verdict
from .parse import BlankAnswer, ParsedNumber, ParsedShape, normalize, parse_choice, parse_count, parse_shape, shape_matches
from .text import gt


class _Outcome(NamedTuple):  # a tuple: made for every wrong answer, and a frozen dataclass is three times slower to make
    verdict: Verdict
    credit: float
    mistake: MistakeValue | None = None
    explanation: str = ""  # complete: what went wrong and the right derivation (feedback.csv)
    diagnosis: str = ""  # what went wrong only, for pages that show the worked solution anyway ("" = explanation)


_LABEL_HINT = re.compile(r"part|部分", re.IGNORECASE)  # cheap test before reading Moodle's part labels
_FORMULA_NOISE = re.compile(r"[\s*·]")  # spacing and multiplication signs do not make a formula different
_RIGHT = _Outcome(Verdict.CORRECT, 1.0)  # shared: most answers are right, and outcomes are immutable
_DECIMAL_WRONG = -1  # Grader._judge_decimal's verdict besides a mistake's index


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join("None" if v is None else "?" if v == MISSING_DIM else str(v) for v in value) + ")"
    return str(value)


def may_hold_part_label(text: str) -> bool:
    """False only for a text that cannot hold a Moodle part label: ASCII without a p or P (any non-ASCII
    letter may fold to one). Most answers are numbers, and skip the label scans."""
    return not text.isascii() or "p" in text or "P" in text


def _find(q: Question, cell: str, values: Sequence[Any]) -> MistakeValue | None:
    """The stored mistake of this cell whose value is one of ``values`` (a scan: only wrong answers get here)."""
    for m in q.mistakes:
        if m.cell == cell and m.value in values:
            return m
    return None


class Grader:
    """Grades answers of one exam with one set of options; holds the caches of a grading run."""

    def __init__(self, options: GradingOptions | None = None) -> None:
        self.options = options or GradingOptions()
        self.lang = self.options.lang
        self._counts: dict[tuple[bool, str], ParsedNumber | AnswerParseError] = {}
        self._shapes: dict[str, ParsedShape | AnswerParseError] = {}
        self._values_cache: dict[str, frozenset[int] | AnswerParseError] = {}
        self._parts: dict[str, tuple[list[str], dict[str, str]]] = {}
        self._decimals: dict[str, Fraction | AnswerParseError] = {}  # response text -> its value
        # (answer or mistake value, details.exact) -> its exact value, and as a float
        self._fractions: dict[tuple[Any, ...], tuple[Fraction, float | None]] = {}
        self._tolerances: dict[tuple[Any, ...], tuple[Fraction, float]] = {}
        self._decimal_right: dict[tuple[Any, ...], bool] = {}  # see _decimal
        self._decimal_verdicts: dict[tuple[Any, ...], int] = {}
        # Right answers are the common case and their grade depends only on these keys, so the
        # (immutable) grade objects are shared instead of built again.
        self._right: dict[tuple[str, str, float, int], AnswerGrade] = {}
        self._right_cells: dict[tuple[str, str], CellGrade] = {}
        self._formula_same: dict[tuple[str, str], bool] = {}  # (text, a mistake's formula) -> written the same way
        self._blank_cells: dict[tuple[str, str], CellGrade] = {}  # (cell, the right value as quoted) -> an empty cell's grade
        self._right_summaries: dict[tuple[str, str], tuple[Any, AnswerGrade]] = {}
        self._graded: dict[Any, AnswerGrade] = {}  # every other grade, by everything it holds (see grade)
        self.formulas = FormulaJudge()
        from .cells import CellLabels  # cells imports this module

        self.cell_labels = CellLabels(self.lang)

    # --- entry point ----------------------------------------------------------------------

    def _single_part(self, text: str) -> str:
        """Moodle reports a one-blank Cloze answer as "part 1: 18207": read what follows the label."""
        positional, labelled = self._split(text)
        return positional[0] if len(positional) == 1 and not labelled else text

    def _right_grade(self, q: Question, text: str, cells: tuple[CellGrade, ...] = ()) -> AnswerGrade:
        key = (q.id, text, q.points, len(cells))
        found = self._right.get(key)
        if found is None:
            found = self._right[key] = AnswerGrade(q.id, text, q.points, q.points, Verdict.CORRECT, cells=cells)
        return found

    def grade(self, q: Question, text: str) -> AnswerGrade:
        kind = q.kind
        if may_hold_part_label(text):
            if _LABEL_HINT.search(text) and (unreadable := part_labels_unreadable(text)) is not None:
                outcome = self._unreadable(unreadable)
                return AnswerGrade(q.id, text, 0.0, q.points, outcome.verdict, explanation=outcome.explanation,
                                   diagnosis=outcome.explanation)
            if text[:4].casefold() == "part" and kind is not QuestionKind.SUMMARY and kind is not QuestionKind.OUTPUT_SHAPE:
                text = self._single_part(text)
        if kind in COUNT_KINDS:
            parsed = self._counts.get((False, text))
            if parsed is not None and isinstance(parsed, ParsedNumber) and parsed.value == q.answer:
                return self._right_grade(q, text)  # exact right answers are right with or without rounding allowed
            outcome = self._count(q, text, q.answer, "")
        elif kind in DECIMAL_KINDS:
            outcome = self._decimal(q, text)
        elif kind is QuestionKind.OUTPUT_SHAPE:
            outcome = self._shape(q, text, q.answer, "", per_dim=True)
        elif kind is QuestionKind.SUMMARY:
            graded = self._summary(q, text)
            return graded if graded.verdict is Verdict.CORRECT else self._graded.setdefault(graded, graded)  # shared as below
        elif kind is QuestionKind.MISSING_HYPERPARAMETER:
            outcome = self._values(q, text)
        elif kind is QuestionKind.FORMULA:
            outcome = self._formula(q, text)
        else:
            outcome = self._choice(q, text)
        if outcome is _RIGHT:
            return self._right_grade(q, text)
        m = outcome.mistake
        # Students who give the same wrong answer to the same question share one (immutable) grade, as
        # right answers do: a class repeats its mistakes, and the outputs describe each grade once.
        key = (q.id, text, q.points, outcome.verdict, outcome.credit, m.codes if m else (), outcome.explanation, outcome.diagnosis)
        found = self._graded.get(key)
        if found is None:
            found = self._graded[key] = AnswerGrade(q.id, text, round(q.points * outcome.credit, 6), q.points, outcome.verdict,
                                                    m.codes[:1] if m else (), m.codes[1:] if m else (), outcome.explanation,
                                                    diagnosis=outcome.diagnosis or outcome.explanation)
        return found

    # --- shared pieces --------------------------------------------------------------------

    def _solution(self, q: Question) -> str:
        steps = q.solution.get(self.lang) or q.solution.get("en") or ()
        return "; ".join(steps) if steps else _show(q.answer)

    def _correct(self, q: Question, cell: str, expected: Any) -> str:
        """The right answer as explanations quote it: the worked solution, or a summary cell's value."""
        return _show(expected) if cell else self._solution(q)

    def _blank(self, correct: str) -> _Outcome:
        return _Outcome(Verdict.BLANK, 0.0, None, gt("blank_answer", self.lang).format(correct=correct), gt("no_answer", self.lang))

    def _unreadable(self, error: AnswerParseError) -> _Outcome:
        return _Outcome(Verdict.UNPARSEABLE, 0.0, None, gt("unreadable", self.lang).format(message=error.message_in(self.lang)))

    def _mistake(self, m: MistakeValue, prefix: str = "", credit: float = 0.0) -> _Outcome:
        text = m.explanation.get(self.lang) or m.explanation.get("en", "")
        return _Outcome(Verdict.MISTAKE, max(self.options.mistake_credit, credit), m, f"{prefix}; {text}" if prefix else text)

    def _wrong(self, shown: str, correct: str, credit: float = 0.0) -> _Outcome:
        diagnosis = gt("unknown_wrong", self.lang).format(answer=shown)
        return self._with_correct(Verdict.WRONG, credit, diagnosis, correct)

    def _with_correct(self, verdict: Verdict, credit: float, diagnosis: str, correct: str) -> _Outcome:
        return _Outcome(verdict, credit, None, f"{diagnosis}; {gt('correct_is', self.lang).format(correct=correct)}", diagnosis)

    # --- counts ---------------------------------------------------------------------------

    def _parse_count(self, text: str, allow_rounding: bool) -> ParsedNumber | AnswerParseError:
        key = (allow_rounding, text)
        found = self._counts.get(key)
        if found is None:
            try:
                found = parse_count(text, allow_rounding=allow_rounding)
            except AnswerParseError as error:
                found = detached(error)  # kept: see gcpause
            self._counts[key] = found
        return found

    def _count(self, q: Question, text: str, answer: Any, cell: str) -> _Outcome:
        parsed = self._parse_count(text, bool(q.details.get("allow_rounding")))
        if isinstance(parsed, ParsedNumber):
            value = parsed.value
            if parsed.exact:
                if value == answer:
                    return _RIGHT
                m = _find(q, cell, (value,))
                if m is not None:
                    return self._mistake(m)
                stripped = text.strip()
                shown = stripped if stripped == str(value) else f"{stripped} = {value}"
                if isinstance(value, Fraction):
                    shown = gt("not_whole", self.lang).format(answer=shown)
                return self._wrong(shown, self._correct(q, cell, answer))
            return self._rounded(q, text, parsed, answer, cell)
        if isinstance(parsed, BlankAnswer):
            return self._blank(self._correct(q, cell, answer))
        return self._unreadable(parsed)

    def _rounded(self, q: Question, text: str, parsed: ParsedNumber, answer: Any, cell: str) -> _Outcome:
        """Rounding is allowed: within half of the last digit given counts (1.18M for 1181161)."""
        unit = rounding_unit(text)
        value = parsed.value
        if unit is None:  # an expression with a rounded number in it: only an exact hit counts
            unit = Fraction(0)
        if isinstance(answer, int) and abs(Fraction(value) - answer) * 2 <= unit:
            return _RIGHT
        close = [m for m in q.mistakes if m.cell == cell and isinstance(m.value, int) and abs(Fraction(value) - m.value) * 2 <= unit]
        if close:
            prefix = gt("rounded_read", self.lang).format(answer=text.strip(), value=_show(value))
            return self._mistake(min(close, key=lambda m: abs(Fraction(value) - m.value)), prefix)
        diagnosis = gt("rounded_outside", self.lang).format(answer=text.strip(), value=_show(value), expected=_show(answer))
        return self._with_correct(Verdict.WRONG, 0.0, diagnosis, self._correct(q, cell, answer))

    # --- decimals -------------------------------------------------------------------------

    def _decimal(self, q: Question, text: str) -> _Outcome:
        """Within half a unit of the last stated decimal of the exact answer; mistakes as the key states them."""
        # A class answers with few distinct texts and the key holds few distinct values: Fraction
        # arithmetic is slow, so each text and each value is read once per grading run.
        parsed = self._decimals.get(text)
        if parsed is None:
            try:
                parsed = parse_decimal(text)
            except AnswerParseError as error:
                parsed = detached(error)  # kept: see gcpause
            self._decimals[text] = parsed
        if isinstance(parsed, AnswerParseError):
            return self._blank(self._solution(q)) if isinstance(parsed, BlankAnswer) else self._unreadable(parsed)
        # The verdict depends only on the text and the key's values, which a class shares: judged once per
        # distinct (text, answer, exact, decimals) whether it is right, and when it is not, once per
        # distinct mistake values which mistake it is (an index into ``candidates``).
        exact, decimals = q.details.get("exact"), q.details.get("decimals", 0)
        key: tuple[Any, ...] = (text, type(q.answer), q.answer, exact, type(decimals), decimals)
        try:
            right, cached = self._decimal_right.get(key), True
        except TypeError:  # an unhashable value in a hand-edited key: judged every time
            right, cached = None, False
        if right is None:
            tolerance = self._tolerance(q.details, decimals)
            right = self._within(parsed, as_float(parsed), self._exact(q.answer, exact), tolerance)
            if cached:
                self._decimal_right[key] = right
        if right:
            return _RIGHT
        candidates = [m for m in q.mistakes if not m.cell and isinstance(m.value, (int, float))]
        key = (*key, *((type(m.value), m.value) for m in candidates))
        found = self._decimal_verdicts.get(key) if cached else None
        if found is None:
            found = self._judge_decimal(q, parsed, candidates)
            if cached:
                self._decimal_verdicts[key] = found
        if found == _DECIMAL_WRONG:
            return self._wrong(text.strip(), self._solution(q))
        return self._mistake(candidates[found])

    @staticmethod
    def _within(value: Fraction, value_float: float | None, target: tuple[Fraction, float | None],
                tolerance: tuple[Fraction, float]) -> bool:
        """decimals.within, with Fraction arithmetic only where floats cannot tell (see decimals.apart)."""
        return not apart(value_float, target[1], tolerance[1]) and within(value, target[0], tolerance[0])

    def _judge_decimal(self, q: Question, value: Fraction, candidates: Sequence[MistakeValue]) -> int:
        """_DECIMAL_WRONG, or the index in ``candidates`` of the closest mistake that fits a wrong answer."""
        tolerance = self._tolerance(q.details, q.details.get("decimals", 0))
        value_float = as_float(value)
        close = [(i, target[0]) for i, m in enumerate(candidates)
                 if self._within(value, value_float, target := self._exact(m.value, None), tolerance)]
        if close:
            return min(close, key=lambda pair: abs(value - pair[1]))[0]
        return _DECIMAL_WRONG

    def _tolerance(self, details: Mapping[str, Any], decimals: Any) -> tuple[Fraction, float]:
        """decimals.tolerance_of (it depends on details.decimals alone), and as a float."""
        try:
            key = (type(decimals), decimals)
            found = self._tolerances.get(key)
        except TypeError:  # an unhashable value in a hand-edited key
            tolerance = tolerance_of(details)
            return tolerance, float(tolerance)
        if found is None:
            tolerance = tolerance_of(details)
            found = self._tolerances[key] = (tolerance, float(tolerance))
        return found

    def _exact(self, value: Any, exact: Any) -> tuple[Fraction, float | None]:
        """decimals.exact_value of an answer (with its details.exact) or of a mistake value (without), and as a float."""
        details = {"exact": exact} if isinstance(exact, str) else {}
        try:
            key = (type(value), value, details.get("exact"))
            found = self._fractions.get(key)
        except TypeError:  # an unhashable answer in a hand-edited key: nothing to share
            fraction = exact_value(value, details)
            return fraction, as_float(fraction)
        if found is None:
            fraction = exact_value(value, details)
            found = self._fractions[key] = (fraction, as_float(fraction))
        return found

    # --- shapes ---------------------------------------------------------------------------

    def _parse_shape(self, text: str) -> ParsedShape | AnswerParseError:
        found = self._shapes.get(text)
        if found is None:
            try:
                found = self._read_shape(text)
            except AnswerParseError as error:
                found = detached(error)  # kept: see gcpause
            self._shapes[text] = found
        return found

    @staticmethod
    def _read_shape(text: str) -> ParsedShape:
        if "part" not in text.casefold() and "部分" not in text:
            return parse_shape(text)
        parts, _ = split_parts(text)  # Moodle Cloze: one part per dimension
        if not parts or all(is_blank(p) for p in parts):
            raise BlankAnswer("no answer given", zh="未作答")
        dims: list[int | None] = []
        for part in parts:
            if is_blank(part):
                dims.append(MISSING_DIM)
                continue
            shape = parse_shape(part)
            if len(shape.dims) != 1:
                raise AnswerParseError(f"expected one size per part, got {part!r}", zh=f"每个部分只应有一个尺寸,收到 {part!r}")
            dims.extend(shape.dims)
        return ParsedShape(tuple(dims), False)

    def _shape(self, q: Question, text: str, answer: Sequence[int | None], cell: str, per_dim: bool) -> _Outcome:
        parsed = self._parse_shape(text)
        if isinstance(parsed, AnswerParseError):
            if isinstance(parsed, BlankAnswer):
                return self._blank(self._correct(q, cell, answer))
            return self._unreadable(parsed)
        expected = tuple(answer)
        if shape_matches(parsed, expected):
            return _RIGHT
        dims = parsed.dims
        candidates = [list(dims)]  # stored mistake values are lists
        if parsed.batch_included:
            candidates.append([None, *dims])
        elif len(dims) == len(expected) + 1:
            candidates.append(list(dims[1:]))
        aligned = dims if len(dims) == len(expected) else dims[1:] if len(dims) == len(expected) + 1 else None
        credit = 0.0
        if per_dim and aligned is not None and expected:
            credit = sum(1 for a, b in zip(aligned, expected, strict=True) if a == b) / len(expected)
        m = _find(q, cell, candidates)
        if m is not None:
            return self._mistake(m, credit=credit)
        return self._wrong(_show(dims), self._correct(q, cell, answer), credit)

    # --- other kinds ----------------------------------------------------------------------

    def _values(self, q: Question, text: str) -> _Outcome:
        """Every value that fits: full credit for the exact set, a share for a correct subset."""
        given = self._values_cache.get(text)
        if given is None:
            try:
                given = parse_values(text)
            except AnswerParseError as error:
                given = detached(error)  # kept: see gcpause
            self._values_cache[text] = given
        if isinstance(given, AnswerParseError):
            return self._blank(self._solution(q)) if isinstance(given, BlankAnswer) else self._unreadable(given)
        accepted = frozenset(q.answer)
        if given == accepted or (self.options.any_accepted_value and given and given <= accepted):
            return _RIGHT
        missing, extra, fits = sorted(accepted - given), sorted(given - accepted), sorted(given & accepted)
        credit = len(given) / len(accepted) if not extra and accepted else 0.0
        notes: list[str] = []
        # "-5 does not fit; correct: ..." — not "-5; does not fit: -5; also fits: 48", whose "also" said -5 fits.
        for key, values in (("values_fit", fits), ("values_extra", extra), ("values_missing", missing if fits else [])):
            if values:
                number = "one" if len(values) == 1 else "many"
                notes.append(gt(f"{key}_{number}", self.lang).format(values=", ".join(map(str, values))))
        return self._with_correct(Verdict.WRONG, credit, "; ".join(notes), self._solution(q))

    def _formula(self, q: Question, text: str) -> _Outcome:
        if is_blank(text):
            return self._blank(self._solution(q))
        symbols = tuple(q.details.get("symbols") or ())
        square = square_kernel_names(symbols, q.details.get("values") or {})
        judged = self.formulas.judge(symbols, str(q.answer), tuple(str(m.value) for m in q.mistakes), text, square)
        if isinstance(judged, AnswerParseError):
            return self._unreadable(judged)
        if judged is True:
            return _RIGHT
        if judged:
            first = q.mistakes[judged[0]]
            codes = tuple(dict.fromkeys(c for i in judged for c in q.mistakes[i].codes))
            merged = MistakeValue(codes, first.value, first.explanation, first.cell)
            # Say "equivalent to" only when the student wrote it differently from the quoted formula.
            same = self._written_alike(text, str(first.value))
            return self._mistake(merged, "" if same else gt("formula_equiv", self.lang).format(value=first.value))
        return self._wrong(text.strip(), self._solution(q))

    def _written_alike(self, text: str, formula: str) -> bool:
        """The same formula but for spacing and multiplication signs (worked out once per pair)."""
        same = self._formula_same.get((text, formula))
        if same is None:
            same = _FORMULA_NOISE.sub("", normalize(text)) == _FORMULA_NOISE.sub("", normalize(formula))
            self._formula_same[(text, formula)] = same
        return same

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
                index = parse_choice(text, max(1, min(len(options), 26)), options)
            except AnswerParseError as error:
                return self._unreadable(error)
        if index == q.answer:
            return _RIGHT
        chosen = options[index] if index < len(options) else None
        shown = gt("choice_read", self.lang).format(letter=chr(ord("A") + index), value=_show(chosen))
        m = _find(q, "", (chosen,))
        if m is not None:
            return self._mistake(m, shown)
        return self._wrong(shown, self._solution(q))

    # --- summary tables -------------------------------------------------------------------

    def _split(self, text: str) -> tuple[list[str], dict[str, str]]:
        found = self._parts.get(text)
        if found is None:
            found = self._parts[text] = split_parts(text)
        return found

    def _summary(self, q: Question, text: str) -> AnswerGrade:
        from .cells import grade_summary

        return grade_summary(self, q, text)
