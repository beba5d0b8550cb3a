"""Read and judge decimal answers (memory in MiB, a ratio, a saving in percent).

The key states the answer to ``details.decimals`` places and keeps the exact fraction in
``details.exact``; a response within half a unit of the last stated place of the exact value
is right (0.12 and 0.1152 for an exact 0.11523…, not 0.1). A unit written after the number
(%, B, KiB, MB, 字节, ×) is read past: the number is what counts, so a KB-for-KiB slip is still
recognised by its value.
"""

from __future__ import annotations

__all__ = ["apart", "as_float", "exact_value", "parse_decimal", "tolerance_of", "within"]

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..errors import AnswerParseError
from .parse import ParsedNumber, parse_count

_UNIT = re.compile(r"\s*(?:%|％|(?i:[kmgt]i?b|bytes?|b)|字节|倍|×|(?i:x)|(?i:percent))\s*$")
_EXPECTED = "expected a number like 1.5 or 88.9 (a unit after it, such as MiB or %, may be written)"
_EXPECTED_ZH = "应为数,如 1.5 或 88.9 (后面可以写单位,如 MiB 或 %)"


def parse_decimal(text: str) -> Fraction:
    """The number in ``text`` as an exact fraction (decimals, arithmetic and separators as for counts)."""
    body = text.strip()
    while (unit := _UNIT.search(body)) and unit.start() > 0:
        body = body[: unit.start()].rstrip()
    try:
        parsed: ParsedNumber = parse_count(body.replace("，", ","), allow_rounding=False)
    except AnswerParseError as error:
        if type(error) is not AnswerParseError:  # a blank answer stays blank
            raise
        shown = repr(text.strip()[:40])
        raise AnswerParseError(f"{_EXPECTED}, got {shown}", zh=f"{_EXPECTED_ZH},收到 {shown}") from None
    return Fraction(parsed.value)


def exact_value(answer: Any, details: Mapping[str, Any]) -> Fraction:
    """The exact answer: details.exact ("p/q") where the key has it, else the stated answer."""
    exact = details.get("exact")
    if isinstance(exact, str) and re.fullmatch(r"-?[0-9]+/[0-9]+", exact):
        return Fraction(exact)
    return Fraction(str(answer))


def decimal_places(details: Mapping[str, Any]) -> int:
    """The places the key states the answer to (details.decimals; 0 when it is not a sensible count)."""
    decimals = details.get("decimals", 0)
    return decimals if isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 12 else 0


def tolerance_of(details: Mapping[str, Any]) -> Fraction:
    return Fraction(1, 2 * 10 ** decimal_places(details))


def within(value: Fraction, target: Fraction, tolerance: Fraction) -> bool:
    return abs(value - target) <= tolerance


# Fraction arithmetic costs microseconds; most wrong answers are far from every value the key holds.
# Floats are within a relative 2**-52 of the fractions they stand for, so a float distance beyond the
# tolerance by this wide a margin proves the exact distance is beyond it too; anything closer is
# left to `within`.
_MARGIN = 1e-9


def as_float(value: Fraction) -> float | None:
    """``value`` as a float, or None beyond the float range (then only `within` can judge)."""
    try:
        return float(value)
    except OverflowError:
        return None


def apart(value: float | None, target: float | None, tolerance: float) -> bool:
    """True when the numbers are certainly farther apart than ``tolerance``; False when `within` must decide."""
    if value is None or target is None:
        return False
    return abs(value - target) > tolerance * (1 + _MARGIN) + _MARGIN * (abs(value) + abs(target))
