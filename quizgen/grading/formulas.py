"""Formula answers: equivalent to the key's formula, to a mistake's formula, or to neither.

sympy is slow, so each distinct (question formula, student text) is judged once per run, and
the mistakes are found by a fingerprint lookup (exact values at fixed points) before any
symbolic comparison.
"""

from __future__ import annotations

__all__ = ["FormulaJudge", "Judgement"]

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import AnswerParseError, KeyFileError
from ..squarekernel import SQUARE_KERNEL
from .answers import formula_fingerprint
from .gcpause import detached
from .parse import formulas_equivalent, normalize, parse_formula

if TYPE_CHECKING:
    import sympy  # type: ignore[import-untyped,unused-ignore]

_NAME = re.compile(r"[^\W\d]\w*")

# True: correct; a tuple: indexes of the mistakes it is equivalent to (empty: unknown wrong formula)
Judgement = bool | tuple[int, ...] | AnswerParseError


@dataclass(frozen=True, slots=True)
class _Key:
    symbols: dict[str, Any]
    square: dict[Any, Any]  # K_h, K_w (K_d) -> K for a square kernel, applied to every formula; else empty
    ordered: tuple[Any, ...]
    answer: Any
    answer_print: tuple[object, ...] | None
    mistakes: tuple[Any, ...]  # parsed mistake formulas (None when a stored one cannot be read)
    by_print: dict[tuple[object, ...], tuple[int, ...]]
    unprinted: tuple[int, ...]  # mistakes without a fingerprint: compared one by one
    shown: tuple[str, ...]  # the names a message lists: the question's (and K for a square kernel), not a mistake's H_in


class FormulaJudge:
    def __init__(self) -> None:
        self._keys: dict[tuple[tuple[str, ...], str, tuple[str, ...], tuple[str, ...]], _Key] = {}
        self._judged: dict[tuple[tuple[str, ...], str, tuple[str, ...], tuple[str, ...], str], Judgement] = {}

    def _key(self, names: tuple[str, ...], answer: str, mistakes: tuple[str, ...], square: tuple[str, ...]) -> _Key:
        cache = (names, answer, mistakes, square)
        found = self._keys.get(cache)
        if found is not None:
            return found
        import sympy  # type: ignore[import-untyped,unused-ignore]

        # Names a mistake uses (H_in in "conv as dense") are allowed too: a student making that
        # mistake writes them, and must be diagnosed rather than told the name is unknown.
        used = {n for text in mistakes for n in _NAME.findall(normalize(text))}
        allowed = set(names) | used | ({SQUARE_KERNEL} if square else set())
        symbols = {n: sympy.Symbol(n, positive=True, integer=True) for n in sorted(allowed)}
        # A square kernel's sides are one number: K, K_h and K_w all stand for it, in every formula.
        sides = {symbols[n]: symbols[SQUARE_KERNEL] for n in square}
        ordered = tuple(symbols[n] for n in sorted(symbols))
        try:
            parsed_answer = parse_formula(answer, symbols).xreplace(sides)
        except AnswerParseError as error:
            raise KeyFileError(f"the key's formula {answer!r} cannot be read: {error.bare_message}") from None
        parsed: list[sympy.Expr | None] = []
        by_print: dict[tuple[object, ...], list[int]] = {}
        unprinted: list[int] = []
        for i, text in enumerate(mistakes):
            try:
                expr = parse_formula(text, symbols).xreplace(sides)
            except AnswerParseError:
                parsed.append(None)  # a mistake we cannot read can never be matched; the rest still work
                continue
            parsed.append(expr)
            fingerprint = formula_fingerprint(expr, ordered)
            if fingerprint is None:
                unprinted.append(i)
            else:
                by_print.setdefault(fingerprint, []).append(i)
        shown = (*names, SQUARE_KERNEL) if square and SQUARE_KERNEL not in names else tuple(names)
        found = _Key(symbols, sides, ordered, parsed_answer, formula_fingerprint(parsed_answer, ordered), tuple(parsed),
                     {k: tuple(v) for k, v in by_print.items()}, tuple(unprinted), shown)
        self._keys[cache] = found
        return found

    def judge(self, names: tuple[str, ...], answer: str, mistakes: tuple[str, ...], text: str,
              square: tuple[str, ...] = ()) -> Judgement:
        """Judge ``text``; ``square`` names the kernel sides a square kernel lets the student call K."""
        cache = (names, answer, mistakes, square, text)
        found = self._judged.get(cache)
        if found is None:
            found = self._judge(self._key(names, answer, mistakes, square), text)
            self._judged[cache] = found
        return found

    @staticmethod
    def _judge(key: _Key, text: str) -> Judgement:
        try:
            expr = parse_formula(text, key.symbols, key.shown).xreplace(key.square)
        except AnswerParseError as error:
            return detached(error)  # kept as the text's judgement: see gcpause
        fingerprint = formula_fingerprint(expr, key.ordered)
        if (fingerprint is None or fingerprint == key.answer_print) and formulas_equivalent(expr, key.answer):
            return True
        candidates = key.by_print.get(fingerprint, ()) + key.unprinted if fingerprint is not None else \
            tuple(i for i, m in enumerate(key.mistakes) if m is not None)
        return tuple(i for i in candidates if formulas_equivalent(expr, key.mistakes[i]))
