"""Formula questions: the answer is the parameter formula itself, checked by sympy equivalence."""

from __future__ import annotations

__all__ = ["SQUARE_KERNEL", "formula_question", "square_kernel_names", "square_kernel_note"]

from typing import Any

from ..exam import MistakeValue
from ..formula import Num, simplify_units, substitute
from ..i18n import fill_words
from ..mistakes import CATALOGUE, Quantity
from ..mistakes.catalogue import words
from ..mistakes.model import Context
from ..solver import LayerSolution, ModelSolution
from ..squarekernel import SQUARE_KERNEL, square_kernel_names
from .built import Built, Steps


def square_kernel_note(sides: tuple[str, ...], lang: str) -> str:
    """The prompt's note that K may stand for every side of a square kernel."""
    equal = " = ".join(sides)
    if lang == "zh":
        return f"卷积核是正方形的,可以用 {SQUARE_KERNEL} 表示 {equal}。"
    return f"The kernel is square: you may write {SQUARE_KERNEL} for {equal}."


def formula_question(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> Built:
    expr = layer.trainable.expr
    symbols = sorted(expr.free_symbols())
    if not symbols:
        raise ValueError("this layer's parameter formula has no symbols")
    answer = expr.render()
    ctx = Context(layer, Quantity("params"), model)
    mistakes = []
    seen = {answer}
    for mistake in CATALOGUE:
        if "params" not in mistake.quantities:
            continue
        for alteration in mistake.alter(ctx):
            if alteration.args or alteration.value is not None or alteration.as_type:
                continue  # needs numbers, not a formula
            wrong = alteration.rewrite(expr) if alteration.rewrite else expr
            if wrong is None:
                continue
            wrong = simplify_units(substitute(wrong, {k: Num(v) for k, v in alteration.env.items()}))
            text = wrong.render()
            if text in seen or not wrong.free_symbols():
                continue
            seen.add(text)
            context_words = words(ctx)
            reason = {lang: fill_words(mistake.reason[lang], context_words) for lang in ("en", "zh")}
            mistakes.append(MistakeValue((mistake.code,), text, {
                "en": f"{text}: {reason['en']}; correct: {answer}", "zh": f"{text}:{reason['zh']};正确:{answer}"}))
    worked = f"{answer} = {layer.trainable.substituted()} = {layer.trainable.value}"
    steps: Steps = {"en": (worked,), "zh": (worked,)}
    return answer, tuple(mistakes), steps, {"symbols": symbols, "values": dict(layer.trainable.env)}
