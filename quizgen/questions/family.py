"""What the question families beyond counts share: options, exact decimals and mistake values.

The families (receptive field, memory, training compute, design ratios) build their answer,
worked steps and expected mistakes from the solved network like the count kinds do; here are
the pieces they have in common. A decimal answer (memory in MiB, a ratio) is exact as a
fraction and stated to a number of decimals: ``details.exact`` keeps the fraction, ``answer``
the rounded value, and anything within half a unit of the last stated decimal of the exact
value is right (the template says how many decimals).
"""

from __future__ import annotations

__all__ = ["Candidate", "collect", "decimal_answer", "rounded", "show_number"]

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from ..exam import MistakeValue

_CORRECT = {"en": "correct: ", "zh": "正确:"}


def rounded(value: Fraction, decimals: int) -> int | float:
    """``value`` rounded half away from zero to ``decimals`` places (an int when ``decimals`` is 0)."""
    scale = 10**decimals
    scaled = abs(value) * scale
    whole = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    whole = whole if value >= 0 else -whole
    return whole if decimals == 0 else float(Fraction(whole, scale))


def show_number(value: Fraction | int | float, decimals: int) -> str:
    """A value as the key prints it: exact integers plainly, others with the stated decimals."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return str(value.numerator)
    if isinstance(value, int):
        return str(value)
    number = rounded(Fraction(value), decimals)
    return f"{number:.{decimals}f}" if decimals else str(number)


def decimal_answer(value: Fraction, decimals: int) -> tuple[int | float, dict[str, object]]:
    """(the answer as stored in the key, the details that let the grader check against the exact value)."""
    return rounded(value, decimals), {"exact": f"{value.numerator}/{value.denominator}", "decimals": decimals}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One wrong answer a misconception gives: its value, the shown working, and why (by language)."""

    code: str
    value: Fraction | int
    working: str
    reason: Mapping[str, str]


def collect(answer: Fraction | int, candidates: Iterable[Candidate], correct: str, decimals: int = 0) -> tuple[MistakeValue, ...]:
    """Mistake values in the order given (most likely first): a value equal to the answer (as stated) is
    dropped, a value reached by several misconceptions keeps every code."""
    stated = rounded(Fraction(answer), decimals)
    groups: dict[int | float, list[Candidate]] = {}
    for candidate in candidates:
        value = rounded(Fraction(candidate.value), decimals)
        if value == stated:
            continue
        groups.setdefault(value, []).append(candidate)
    result = []
    for value, found in groups.items():
        first = found[0]
        shown = show_number(value, decimals)
        head = shown if first.working in ("", shown) else f"{shown} = {first.working}"
        explanation = {lang: f"{head}: {first.reason[lang]}; {_CORRECT[lang]}{correct}" for lang in ("en", "zh")}
        result.append(MistakeValue(tuple(dict.fromkeys(c.code for c in found)), value, explanation))
    return tuple(result)
