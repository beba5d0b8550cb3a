"""Turn a sampled template into a Question: prompt, answer, worked solution and expected mistakes."""

from __future__ import annotations

__all__ = ["build_question", "shuffle_choice"]

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..bank.sample import Sampled
from ..errors import BankError, Location
from ..exam import FAMILY_KINDS, MistakeValue, Question, QuestionKind
from ..i18n import Lang, t
from ..mistakes import Quantity, layer_mistakes, total_macs_mistakes, total_mistakes
from ..solver import LayerSolution, ModelSolution
from ..spec import Framework
from ..summary import dim_labels, layer_steps, shape_text
from .built import LANGS, Built, Steps
from .families import family_question
from .formula import formula_question, square_kernel_names, square_kernel_note
from .inverse import inverse_question
from .prompts import default_prompt, fill

# Kinds that ask about one layer and cannot be asked of the whole model.
_LAYER_ONLY = frozenset({QuestionKind.OUTPUT_SHAPE, QuestionKind.OUTPUT_SIZE, QuestionKind.MISSING_HYPERPARAMETER,
                         QuestionKind.FORMULA, QuestionKind.CHOICE, QuestionKind.PARAMS})
# Kinds that always ask about the whole model, even when the template names a layer.
_WHOLE_MODEL = frozenset({QuestionKind.TOTAL_PARAMS, QuestionKind.SUMMARY})
_PARAM_COUNTS = frozenset({QuestionKind.PARAMS, QuestionKind.TRAINABLE_PARAMS, QuestionKind.NON_TRAINABLE_PARAMS})


def _words(model: ModelSolution, layer: LayerSolution | None, options: dict[str, Any]) -> dict[str, Any]:
    keras = model.spec.framework is Framework.KERAS
    words: dict[str, Any] = {
        "target": "the whole model", "target_zh": "整个模型",
        "shape_hint": "Give the batch dimension as None." if keras else "Leave out the batch dimension (channels first).",
        "shape_hint_zh": "批维度写 None。" if keras else "不含批维度(通道在前)。",
        **{k: v for k, v in options.items() if isinstance(v, (str, int))},
    }
    if layer is not None:
        words.update(n=layer.index + 1, name=layer.name, type=layer.type, named=f"{layer.name}, " if model.is_graph else "",
                     target=f"layer {layer.index + 1} ({layer.name}, {layer.type})",
                     target_zh=f"第 {layer.index + 1} 层 ({layer.name}, {layer.type}) ")
    return words


def _steps(layer: LayerSolution, keep: Callable[[str], bool]) -> Steps:
    return {lang: tuple(s for s in layer_steps(layer, Lang(lang)) if keep(s)) for lang in LANGS}


def _params_kind(model: ModelSolution, layer: LayerSolution | None, kind: QuestionKind) -> Built:
    quantity = {"params": "params", "trainable_params": "trainable", "non_trainable_params": "non_trainable"}[kind.value]
    if layer is None:
        which = {"params": "total", "trainable": "trainable", "non_trainable": "non_trainable"}[quantity]
        answer = {"total": model.total_params, "trainable": model.trainable_params, "non_trainable": model.non_trainable_params}[which]
        return answer, total_mistakes(model, which), _total_steps(model, which), {}
    value = {"params": layer.params, "trainable": int(layer.trainable.value), "non_trainable": int(layer.non_trainable.value)}[quantity]
    return value, layer_mistakes(model, layer.index, Quantity(quantity), value), _count_steps(layer), {}


def _count_step(step: str) -> bool:
    """A step of `layer_steps` a parameter question shows: not an output dimension's, not the MACs'."""
    return "=" in step and not step.split(" = ")[0].endswith("_out") and not step.startswith(("MACs", "乘加"))


def _count_steps(layer: LayerSolution) -> Steps:
    """``_steps(layer, _count_step)``, without working out the steps it drops: every output
    dimension (H_out = ⌊(H_in + 2·P_h − K_h)/S_h⌋ + 1 = ..., the costliest) and the MACs."""
    if any(bound is not None and not label.endswith("_out") for label, bound in zip(dim_labels(layer), layer.outcome.dims,
                                                                                       strict=False)):
        return _steps(layer, _count_step)  # a dimension named otherwise (X1 of a 5-D shape) is kept: the general way
    parts: tuple[tuple[str, str], ...]
    if layer.non_trainable.value:
        parts = (("step_trainable", layer.trainable.steps()), ("step_non_trainable", layer.non_trainable.steps()))
    else:
        parts = (("step_params", layer.trainable.steps()),)
    return {lang: tuple(step for step in (f"{t(key, Lang(lang))}: {worked}" for key, worked in parts) if _count_step(step))
            for lang in LANGS}


def _total_steps(model: ModelSolution, which: str) -> Steps:
    picks: dict[str, Callable[[LayerSolution], int]] = {
        "total": lambda layer: layer.params,
        "trainable": lambda layer: int(layer.trainable.value),
        "non_trainable": lambda layer: int(layer.non_trainable.value),
    }
    pick = picks[which]
    out = {}
    for lang in LANGS:
        lines = [f"{layer.name} ({layer.type}): " + (f"{layer.trainable.substituted()} = " if which != "non_trainable"
                 and layer.trainable.value and not layer.non_trainable.value and layer.trainable.substituted() != str(pick(layer)) else "")
                 + str(pick(layer)) for layer in model.layers if pick(layer)]
        counts = [str(pick(layer)) for layer in model.layers if pick(layer)]
        total = sum(pick(layer) for layer in model.layers)
        lines.append(("total" if lang == "en" else "合计") + f": {' + '.join(counts) or '0'} = {total}")
        out[lang] = tuple(lines)
    return out


def _macs_kind(model: ModelSolution, layer: LayerSolution | None, kind: QuestionKind) -> Built:
    factor = 2 if kind is QuestionKind.FLOPS else 1
    if layer is None:
        if model.total_macs is None:
            raise ValueError("MACs unknown (a null dimension)")
        answer = factor * model.total_macs
        total = (f"FLOPs = 2·{model.total_macs} = {answer}",) if factor == 2 else (f"Σ = {answer}",)
        steps = {lang: (*(f"{item.name}: {item.outcome.macs.steps()}" for item in model.layers if item.macs and item.outcome.macs), *total)
                 for lang in LANGS}
        return answer, total_macs_mistakes(model, factor), steps, {}
    if layer.macs is None:
        raise ValueError("MACs unknown (a null dimension)")
    answer = factor * layer.macs
    steps = _steps(layer, lambda s: s.startswith(("MACs", "乘加")))
    if factor == 2:
        steps = {lang: (*s, f"FLOPs = 2·{layer.macs} = {answer}") for lang, s in steps.items()}
    return answer, layer_mistakes(model, layer.index, Quantity("flops" if factor == 2 else "macs"), answer), steps, {}


def _axis_index(layer: LayerSolution, axis: Any) -> int:
    labels = [label.split("_")[0] for label in dim_labels(layer)]
    if isinstance(axis, int) and 0 <= axis < len(labels):
        return axis
    if isinstance(axis, str) and axis.upper() in labels:
        return labels.index(axis.upper())
    computed = [i for i, bound in enumerate(layer.outcome.dims) if bound is not None]
    if axis is None and computed:
        return computed[0]
    raise ValueError(f"axis {axis!r} is not one of {labels}")


def _size_kind(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> Built:
    index = _axis_index(layer, options.get("axis"))
    answer = layer.output_shape[index]
    label = dim_labels(layer)[index]
    bound = layer.outcome.dims[index]
    steps: Steps = {lang: (f"{label} = {bound.steps()}",) if bound else (f"{label} = {answer}",) for lang in LANGS}
    mistakes = layer_mistakes(model, layer.index, Quantity("dim", index), answer)
    return answer, mistakes, steps, {"axis": label.split("_")[0], "axis_index": index}


def _shape_kind(model: ModelSolution, layer: LayerSolution) -> Built:
    answer = list(layer.output_shape)
    steps = _steps(layer, lambda s: s.split(" = ")[0].endswith("_out"))
    steps = {lang: (*s, shape_text(layer.output_shape, model.spec.framework)) for lang, s in steps.items()}
    return answer, layer_mistakes(model, layer.index, Quantity("shape"), answer), steps, {
        "batch_dim": model.spec.framework is Framework.KERAS}


def _summary_kind(model: ModelSolution) -> Built:
    rows = [{"name": layer.name, "type": layer.type, "output_shape": list(layer.output_shape), "params": layer.params}
            for layer in model.layers]
    answer = {"rows": rows, "total_params": model.total_params, "trainable_params": model.trainable_params,
              "non_trainable_params": model.non_trainable_params}
    mistakes: list[MistakeValue] = []
    for layer in model.layers:
        i = layer.index
        mistakes.extend(layer_mistakes(model, i, Quantity("params"), layer.params, cell=f"{i}.params", pairs=False))
        mistakes.extend(layer_mistakes(model, i, Quantity("shape"), list(layer.output_shape), cell=f"{i}.shape", pairs=False))
    for item in total_mistakes(model):
        mistakes.append(MistakeValue(item.codes, item.value, item.explanation, "total_params"))
    framework = model.spec.framework
    steps = {lang: tuple(f"{layer.name} ({layer.type}) {shape_text(layer.output_shape, framework)}: "
                         + "; ".join(layer_steps(layer, Lang(lang))) for layer in model.layers) for lang in LANGS}
    return answer, tuple(mistakes), steps, {"cells": len(rows) * 2 + 1}


def _choice_kind(model: ModelSolution, layer: LayerSolution, options: dict[str, Any]) -> Built:
    value, mistakes, steps, _ = _params_kind(model, layer, QuestionKind.PARAMS)
    distractors = [m for m in mistakes if isinstance(m.value, int)][:3]
    if len(distractors) < 2:
        raise ValueError("fewer than two distinct mistake values to use as distractors")
    # Canonical order (answer first); `shuffle_choice` orders the options per student.
    return 0, tuple(distractors), steps, {"options": [value, *(m.value for m in distractors)], "of": options.get("of", "params")}


def shuffle_choice(question: Question, rng: random.Random) -> Question:
    """Order a choice question's options for one student (the built question is shared)."""
    options = list(question.details["options"])
    order = list(range(len(options)))
    rng.shuffle(order)
    details = {**question.details, "options": [options[i] for i in order]}
    return replace(question, answer=order.index(question.answer), details=details)


def _model_question(model: ModelSolution, kind: QuestionKind) -> Built:
    """A question about the whole model."""
    if kind is QuestionKind.SUMMARY:
        return _summary_kind(model)
    if kind in (QuestionKind.MACS, QuestionKind.FLOPS):
        return _macs_kind(model, None, kind)
    return _params_kind(model, None, QuestionKind.PARAMS if kind is QuestionKind.TOTAL_PARAMS else kind)


def _layer_question(model: ModelSolution, layer: LayerSolution, kind: QuestionKind, options: dict[str, Any]) -> Built:
    """A question about one layer (kinds that always cover the whole model ignore the layer)."""
    if kind in _WHOLE_MODEL:
        return _model_question(model, kind)
    if kind in _PARAM_COUNTS:
        return _params_kind(model, layer, kind)
    if kind in (QuestionKind.MACS, QuestionKind.FLOPS):
        return _macs_kind(model, layer, kind)
    if kind is QuestionKind.OUTPUT_SIZE:
        return _size_kind(model, layer, options)
    if kind is QuestionKind.OUTPUT_SHAPE:
        return _shape_kind(model, layer)
    if kind is QuestionKind.MISSING_HYPERPARAMETER:
        return inverse_question(model, layer, options)
    if kind is QuestionKind.FORMULA:
        return formula_question(model, layer, options)
    return _choice_kind(model, layer, options)


def build_question(sampled: Sampled, qid: str) -> Question:
    """Build one question from a `Sampled` template (see bank.sample)."""
    template = sampled.template
    if template.kind in FAMILY_KINDS:
        return family_question(sampled, qid)
    model = sampled.solution
    layer = model.layers[sampled.layer] if sampled.layer is not None else None
    kind = template.kind
    options = dict(template.options)
    # A bank's own prompt may quote its parameters ({w}×{w}); layer words win over parameter names.
    words = {**{k: v for k, v in sampled.values.items() if isinstance(v, (int, str))}, **_words(model, layer, options)}
    if layer is None:
        if kind in _LAYER_ONLY:
            raise BankError(f"question {template.id}: kind {kind.value} needs a layer: (the index of the layer it asks about)",
                            Location(file=template.source, line=template.line))
        answer, mistakes, solution, details = _model_question(model, kind)
    else:
        answer, mistakes, solution, details = _layer_question(model, layer, kind, options)
    if kind is QuestionKind.OUTPUT_SIZE:
        words["axis"] = details["axis"]
    elif kind is QuestionKind.MISSING_HYPERPARAMETER:
        words.update(details.get("words", {}))
    elif kind is QuestionKind.FORMULA:
        words["symbols"] = ", ".join(details["symbols"])
    details = {k: v for k, v in details.items() if k != "words"}
    if options.get("allow_rounding"):
        details["allow_rounding"] = True
    prompt = fill(template.prompt or default_prompt(kind.value), words)
    if kind is QuestionKind.FORMULA and (sides := square_kernel_names(details["symbols"], details["values"])):
        prompt = {lang: text + ("" if lang == "zh" else " ") + square_kernel_note(sides, lang) for lang, text in prompt.items()}
    return Question(id=qid, template=template.id, kind=kind, points=template.points, spec=sampled.spec,
                    layer=None if kind in _WHOLE_MODEL else sampled.layer,
                    prompt=prompt, answer=answer, mistakes=mistakes, solution=solution, topic=template.topic, details=details)
