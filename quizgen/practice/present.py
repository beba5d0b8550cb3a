"""What practice mode shows around a question: the network as code, the hint, the answer format.

Shared by the terminal drill and the practice pages. Nothing here may reveal the answer: the
hint is the symbolic formula (never the numbers it gives), the code hides the argument a
``missing_hyperparameter`` question asks for.
"""

from __future__ import annotations

__all__ = ["answer_format", "answer_text", "code_text", "hint_lines"]

import logging
from collections.abc import Mapping
from typing import Any

from ..errors import QuizgenError
from ..exam import COUNT_KINDS, Question, QuestionKind
from ..solver import LayerSolution, ModelSolution
from ..spec import Framework, spec_to_mapping
from ..summary import dim_labels, params_formula, shape_text
from .text import pt

_log = logging.getLogger(__name__)

# Stands in for the hidden argument while the code writer runs; it can never be a real value.
_SENTINEL = "QUIZGEN-HIDDEN-ARGUMENT"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def hidden_argument(q: Question) -> tuple[int, str] | None:
    """(layer, argument) a missing_hyperparameter question hides, else None."""
    hidden = q.details.get("hidden") if q.kind is QuestionKind.MISSING_HYPERPARAMETER else None
    if isinstance(hidden, Mapping) and isinstance(hidden.get("layer"), int) and isinstance(hidden.get("arg"), str):
        return int(hidden["layer"]), str(hidden["arg"])
    return None


def _listing(mapping: Mapping[str, Any]) -> str:
    lines = [f"framework: {mapping['framework']}", f"input_shape: {list(mapping['input_shape'])}", "layers:"]
    for item in mapping["layers"]:
        ((kind, kwargs),) = item.items()
        args = ", ".join(f"{k}={v!r}" for k, v in dict(kwargs or {}).items())
        lines.append(f"  - {kind}({args})")
    return "\n".join(lines) + "\n"


def code_text(q: Question) -> str:
    """The question's network as real Keras/PyTorch code, the hidden argument written ``?``."""
    from ..codeio import write_model_code

    mapping = spec_to_mapping(q.spec)
    hidden = hidden_argument(q)
    if q.kind is QuestionKind.MISSING_HYPERPARAMETER and hidden is None:
        # Without knowing which argument is hidden the code would print the answer.
        raise QuizgenError(f"question {q.id}: missing_hyperparameter needs details.hidden = {{layer, arg}}")
    if hidden is not None:
        layers = [dict(item) for item in mapping["layers"]]
        ((name, kwargs),) = layers[hidden[0]].items()
        layers[hidden[0]] = {name: {**dict(kwargs or {}), hidden[1]: _SENTINEL}}
        mapping = {**mapping, "layers": layers}
    try:
        text = write_model_code(mapping)
    except QuizgenError as error:
        # The code writer may not know a newly added layer kind yet: a listing still shows everything.
        _log.info("network shown as a listing: %s", error)
        text = _listing(mapping)
    for quoted in (f'"{_SENTINEL}"', f"'{_SENTINEL}'", _SENTINEL):
        text = text.replace(quoted, "?")
    return text


def _dim_hints(layer: LayerSolution, only: int | None = None) -> list[str]:
    return [f"{label} = {bound.formula()}" for i, (label, bound) in enumerate(zip(dim_labels(layer), layer.outcome.dims, strict=False))
            if bound is not None and (only is None or i == only)]


def _count_formula(layer: LayerSolution, kind: QuestionKind) -> str:
    if kind is QuestionKind.TRAINABLE_PARAMS:
        return layer.trainable.formula()
    if kind is QuestionKind.NON_TRAINABLE_PARAMS:
        return layer.non_trainable.formula()
    return params_formula(layer)


def hint_lines(q: Question, model: ModelSolution, lang: str, *, numbers: bool = True) -> tuple[str, ...]:
    """The formula to use, without the numbers (the first worked step's left side, in effect).

    A formula question's hint gives the layer's numbers and the count the formula must give;
    ``numbers=False`` leaves that count out (a practice page holds other questions whose answer
    it may be).
    """
    kind = q.kind
    layer = model.layers[q.layer] if q.layer is not None and 0 <= q.layer < len(model.layers) else None
    lines: list[str] = []
    if kind is QuestionKind.FORMULA and layer is not None:
        symbols = [str(s) for s in q.details.get("symbols", ())]
        values = q.details.get("values") or {}
        given = ", ".join(f"{s} = {values[s]}" for s in symbols if s in values)
        if given:
            key = "formula_hint" if numbers else "formula_symbols"
            lines.append(pt(key, lang).format(values=given, value=int(layer.trainable.value)))
    elif kind in (QuestionKind.MACS, QuestionKind.FLOPS):
        if layer is not None and layer.outcome.macs is not None:
            lines.append(f"MACs = {layer.outcome.macs.formula()}")
        elif layer is None:
            lines.append(pt("hint_total", lang))
            lines += [f"  {other.name} ({other.type}): {other.outcome.macs.formula()}" for other in model.layers
                      if other.outcome.macs is not None and other.macs]
        if kind is QuestionKind.FLOPS:
            lines.append(pt("hint_flops", lang))
    elif kind is QuestionKind.OUTPUT_SHAPE and layer is not None:
        lines += _dim_hints(layer)
    elif kind is QuestionKind.OUTPUT_SIZE and layer is not None:
        index = q.details.get("axis_index")
        lines += _dim_hints(layer, index if isinstance(index, int) else None)
    elif kind is QuestionKind.MISSING_HYPERPARAMETER and layer is not None:
        lines += [f"{pt('cell_params', lang)} = {params_formula(layer)}"] if q.details.get("given") == "params" else _dim_hints(layer)
    elif kind in COUNT_KINDS or kind is QuestionKind.CHOICE:
        if layer is not None:
            lines.append(_count_formula(layer, kind))
        else:
            lines.append(pt("hint_total", lang))
            for other in model.layers:
                formula = _count_formula(other, kind if kind is not QuestionKind.TOTAL_PARAMS else QuestionKind.PARAMS)
                if formula != "0":
                    lines.append(f"  {other.name} ({other.type}): {formula}")
    elif kind is QuestionKind.SUMMARY:
        for other in model.layers:
            parts = [*_dim_hints(other), params_formula(other)]
            lines.append(f"{other.name} ({other.type}): " + "; ".join(parts))
    return tuple(line for line in lines if line.strip())


def answer_format(q: Question, lang: str) -> str:
    """One line saying how to write the answer (the worksheet's answer space, in words)."""
    kind = q.kind
    if kind in COUNT_KINDS and kind is not QuestionKind.OUTPUT_SIZE:
        return pt("fmt_count", lang)
    if kind is QuestionKind.OUTPUT_SIZE:
        return pt("fmt_size", lang).format(axis=str(q.details.get("axis", "?")) + "_out")
    if kind is QuestionKind.OUTPUT_SHAPE:
        return pt("fmt_shape_keras" if q.spec.framework is Framework.KERAS else "fmt_shape_torch", lang)
    if kind is QuestionKind.MISSING_HYPERPARAMETER:
        return pt("fmt_values", lang).format(arg=q.details.get("unknown", "?"))
    if kind is QuestionKind.FORMULA:
        return pt("fmt_formula", lang).format(symbols=", ".join(str(s) for s in q.details.get("symbols", ())))
    if kind is QuestionKind.CHOICE:
        return pt("fmt_choice", lang)
    return ""


def answer_text(q: Question) -> str:
    """The right answer in the form a student would write it (shown after ``skip``)."""
    if q.kind is QuestionKind.OUTPUT_SHAPE and isinstance(q.answer, list):
        return shape_text(tuple(q.answer), q.spec.framework)
    if q.kind is QuestionKind.MISSING_HYPERPARAMETER and isinstance(q.answer, list):
        return f"{q.details.get('unknown', '?')} ∈ {{{', '.join(map(str, q.answer))}}}" if len(q.answer) > 1 else \
            f"{q.details.get('unknown', '?')} = {q.answer[0]}"
    if q.kind is QuestionKind.CHOICE and isinstance(q.answer, int):
        options = list(q.details.get("options") or [])
        value = options[q.answer] if 0 <= q.answer < len(options) else "?"
        return f"{LETTERS[q.answer]} ({value})"
    return str(q.answer)
