"""Formula questions: the answer is the parameter formula itself, checked by sympy equivalence."""

from __future__ import annotations

__all__ = ["formula_question"]

from typing import Any

from ..exam import MistakeValue
from ..formula import Num, simplify_units, substitute
from ..i18n import fill_words
from ..mistakes import CATALOGUE, Quantity
from ..mistakes.catalogue import words
from ..mistakes.model import Context
from ..solver import LayerSolution, ModelSolution
from .built import Built, Steps


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
