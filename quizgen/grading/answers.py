"""Reading answers beyond single values: multi-part answers, sets of values, rounding precision,
formula fingerprints. The single-value parsers live in parse.py; this module only cuts text
into the pieces they read.
"""

from __future__ import annotations

__all__ = [
    "MISSING_DIM",
    "formula_fingerprint",
    "is_blank",
    "parse_values",
    "part_label_error",
    "part_labels_unreadable",
    "rounding_unit",
    "split_parts",
]

import random
import re
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import AnswerParseError
from .parse import BlankAnswer, normalize, parse_count

if TYPE_CHECKING:
    import sympy  # type: ignore[import-untyped,unused-ignore]

MISSING_DIM = -(2**62)  # a shape dimension left blank in a multi-part answer: equal to no real size

_DASHES = re.compile(r"-+")


def is_blank(text: str) -> bool:
    """The blank rule of parse.py (empty, '-', 'N/A', '无'), for answers read in parts."""
    norm = normalize(text) if not text.isascii() else text.strip()
    return norm.casefold() in ("", "n/a", "无") or _DASHES.fullmatch(norm) is not None


# Moodle joins the parts of a multi-part (Cloze) answer as "part 1: 26; part 2: 32".
_PART = re.compile(r"(?:^|;|\n)\s*(?:part|部分)\s*(\d{1,3})\s*:\s*", re.IGNORECASE)
_CELL = re.compile(r"(?:^|;|\n)\s*(\d{1,3}\.(?:shape|params)|total_params|trainable_params|non_trainable_params)\s*:\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:;|\n)\s*")


_ANY_PART = re.compile(r"(?:part|部分)\s*(\d{1,3})\s*:", re.IGNORECASE)


def part_label_error(text: str) -> tuple[str, str] | None:
    """What is wrong with the ``part i:`` labels of a Moodle answer (in English and in Chinese), or None.

    Moodle writes each part once, in increasing order, each label after a ';' or a new line.
    Anything else (``part 2: 288; part 2: 320``) was not written by Moodle: taking either value
    would be a guess that can raise a score, so such an answer is not read at all.
    """
    return _part_label_problem(text)


def part_labels_unreadable(text: str) -> AnswerParseError | None:
    """The error of an answer whose ``part i:`` labels cannot be read (see part_label_error), or None."""
    problem = _part_label_problem(text)
    if problem is None:
        return None
    return AnswerParseError(f"the part labels cannot be read: {problem[0]}", zh=f"无法读取各部分的标签:{problem[1]}")


def _part_label_problem(text: str) -> tuple[str, str] | None:
    norm = normalize(text)
    if not _PART.match(norm):
        return None
    pieces = _PART.split(norm)
    previous = 0
    for i in range(1, len(pieces) - 1, 2):
        number = int(pieces[i])
        if number == 0:
            return "part 0 does not exist (Moodle counts from 1)", "没有第 0 部分 (Moodle 从 1 开始编号)"
        if number == previous:
            return f"part {number} is given twice", f"第 {number} 部分出现了两次"
        if number < previous:
            return f"part {number} comes after part {previous}", f"第 {number} 部分出现在第 {previous} 部分之后"
        if (stray := _ANY_PART.search(pieces[i + 1])) is not None:
            return (f"a label {stray[0]!r} inside part {number} (labels follow a ';' or a new line)",
                    f"第 {number} 部分里有标签 {stray[0]!r} (标签应跟在 ';' 或换行之后)")
        previous = number
    return None


def split_parts(text: str) -> tuple[list[str], dict[str, str]]:
    """Cut a multi-part answer into positional parts, or parts labelled by cell ("0.shape").

    ``part i:`` labels put each part in its place (a skipped part stays blank); without labels the
    parts are separated by ';' or new lines. Labels repeated or out of order raise AnswerParseError.
    """
    norm = normalize(text)
    if _PART.match(norm):
        if (unreadable := part_labels_unreadable(norm)) is not None:
            raise unreadable
        pieces = _PART.split(norm)
        numbered = {int(pieces[i]): pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
        size = max(numbered) if numbered else 0
        return [numbered.get(i, "") for i in range(1, size + 1)], {}
    if _CELL.match(norm):
        pieces = _CELL.split(norm)
        return [], {pieces[i].casefold(): pieces[i + 1].strip() for i in range(1, len(pieces) - 1, 2)}
    parts = _SEPARATORS.split(norm.strip())
    return ([] if parts == [""] else parts), {}


_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_VALUE_SEPARATORS = re.compile(r"\s*(?:[,;/|]|\s(?:or|and)\s|或者|或|和|及|\s)\s*", re.IGNORECASE)
_SQUARE = re.compile(r"([0-9]+)\s*[xX*]\s*([0-9]+)")
_NAME_PREFIX = re.compile(r"^[^\W\d]\w*\s*(?:=|:|∈)\s*")


def parse_values(text: str) -> frozenset[int]:
    """A set of whole numbers, as in "every value that fits": 3 / 3, 5 / {3, 5} / 3 or 5 / k = 3.

    A square size written 3x3 or (3, 3) means 3 (kernel_size=3 is a 3x3 kernel).
    """
    norm = normalize(text)
    if is_blank(norm):
        raise BlankAnswer("no answer given", zh="未作答")
    body = _NAME_PREFIX.sub("", norm).strip()
    expected = f"expected whole numbers like 3 or 3, 5, got {text[:40]!r}"
    expected_zh = f"应为整数,如 3 或 3, 5,收到 {text[:40]!r}"
    if body[:1] in _CLOSERS:  # {3, 5}, [3, 5], (3, 3)
        if body[-1:] != _CLOSERS[body[0]]:
            raise AnswerParseError(f"{expected} (a bracket is not closed)", zh=f"{expected_zh} (括号没有闭合)")
        body = body[1:-1].strip()
    if any(c in body for c in "()[]{}"):
        raise AnswerParseError(f"{expected} (unexpected bracket)", zh=f"{expected_zh} (不应有括号)")
    if (m := _SQUARE.fullmatch(body)) and m[1] == m[2]:
        return frozenset({int(m[1])})
    items = [item for item in _VALUE_SEPARATORS.split(body) if item]
    if not items:
        raise AnswerParseError(expected, zh=expected_zh)
    values: set[int] = set()
    for item in items:
        if (m := _SQUARE.fullmatch(item)) and m[1] == m[2]:
            values.add(int(m[1]))
            continue
        try:
            number = parse_count(item).value
        except AnswerParseError as error:
            raise AnswerParseError(f"expected whole numbers like 3 or 3, 5; {item!r}: {error}",
                                   zh=f"应为整数,如 3 或 3, 5;{item!r}:{error.message_in('zh')}") from None
        if isinstance(number, Fraction):
            raise AnswerParseError(f"expected whole numbers like 3 or 3, 5, got {item!r}", zh=f"应为整数,如 3 或 3, 5,收到 {item!r}")
        values.add(number)
    return frozenset(values)


_APPROX = re.compile(r"^(?:≈|~|约|大约|大概|(?i:about|approx(?:imately|\.)?|around|ca\.))\s*")
_ROUNDED = re.compile(
    r"(?P<int>[0-9]+(?:(?P<sep>[,' _])[0-9]{3}(?:(?P=sep)[0-9]{3})*)?)(?:\.(?P<frac>[0-9]*))?"
    r"(?:\s*(?:[eE](?P<exp>[+-]?[0-9]+)|\s*[*xX]\s*10\s*\^\s*\(?(?P<exp2>[+-]?[0-9]+)\)?))?"
    r"\s*(?P<scale>(?i:thousand|million|billion|trillion|[kmgbt])|千万|百万|万|亿|千)?"
    r"\s*(?:(?i:[kmg]?(?:parameters?|params?|weights?|macs?|flops?))|个参数|参数|个|次乘加|乘加|次)?[.!;,]?"
)
_SCALES = {"k": 10**3, "thousand": 10**3, "千": 10**3, "万": 10**4, "m": 10**6, "million": 10**6, "百万": 10**6, "千万": 10**7,
           "亿": 10**8, "g": 10**9, "b": 10**9, "billion": 10**9, "t": 10**12, "trillion": 10**12}


def rounding_unit(text: str) -> Fraction | None:
    """The size of the last digit a rounded answer gives: 1.18M -> 10000, 1.2e5 -> 10000, 118万 -> 10000,
    ≈18000 -> 1000. None when the answer is not one plain number (arithmetic, words)."""
    norm = normalize(text)
    body = _APPROX.sub("", norm)
    m = _ROUNDED.fullmatch(body)
    if m is None:
        return None
    frac = m["frac"] or ""
    unit = Fraction(1, 10 ** len(frac))
    exp = m["exp"] or m["exp2"]
    if exp is not None:
        unit *= Fraction(10) ** int(exp)
    if m["scale"]:
        unit *= _SCALES[m["scale"].casefold()]
    if not frac and exp is None and not m["scale"]:
        digits = m["int"].replace(m["sep"] or " ", "")
        unit = Fraction(10 ** (len(digits) - len(digits.rstrip("0")))) if digits.strip("0") else Fraction(1)
    return unit


_PROBES = random.Random(11)  # noqa: S311 -- fixed probe points, so fingerprints are the same in every run
_PROBE_VALUES = tuple(tuple(_PROBES.randint(1_000, 10**6) for _ in range(32)) for _ in range(2))


def formula_fingerprint(expr: sympy.Expr, symbols: Sequence[sympy.Symbol]) -> tuple[object, ...] | None:
    """Exact values at two fixed points: equivalent formulas share them, so mistakes are a dict lookup
    (equality is then confirmed symbolically). None when the formula does not evaluate to a number."""
    import sympy  # type: ignore[import-untyped,unused-ignore]

    values = []
    for probe in _PROBE_VALUES:
        value = expr.xreplace({s: sympy.Integer(probe[i % len(probe)]) for i, s in enumerate(symbols)})
        if not value.is_Rational:
            return None
        values.append(value)
    return tuple(values)
