"""Build a question of one of the families beyond counts and shapes (see exam.FAMILY_KINDS).

Each family module computes (answer, expected mistakes, worked steps, details) from the solved
network and its template options; this module checks the options when a bank is loaded, fills
``$param`` references in them, and assembles the `Question` with its prompt.
"""

from __future__ import annotations

__all__ = ["FAMILY_OPTIONS", "check_family_options", "family_question"]

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..exam import Question, QuestionKind
from ..solver import ModelSolution
from . import memory as mem
from . import ratio as rt
from . import receptive_question as rf
from . import training as tf
from .prompts import fill

if TYPE_CHECKING:
    from ..bank.sample import Sampled

# Template keys each family reads (beyond the common ones), and the values a key may take
# (None: a number or a $parameter).
FAMILY_OPTIONS: dict[QuestionKind, dict[str, tuple[Any, ...] | None]] = {
    QuestionKind.RECEPTIVE_FIELD: {"of": rf.OF, "axis": ("H", "W", "D", "L")},
    QuestionKind.MEMORY: {"of": mem.OF, "dtype": tuple(mem.DTYPES), "optimizer": tuple(mem.OPTIMIZERS), "unit": tuple(mem.UNITS),
                          "batch": None, "decimals": None},
    QuestionKind.TRAINING_FLOPS: {"of": tf.OF, "batch": None, "dataset": None},
    QuestionKind.RATIO: {"compare": rt.COMPARE, "of": rt.OF, "as": rt.AS, "decimals": None, "width": None, "groups": None},
}


def check_family_options(kind: QuestionKind, options: Mapping[str, Any], params: set[str]) -> str | None:
    """What is wrong with a family template's options ('' when nothing), for the bank loader's message."""
    allowed = FAMILY_OPTIONS.get(kind, {})
    for key, value in options.items():
        if key in ("allow_rounding",):
            continue
        if key not in allowed:
            return f"{key} is not an option of kind {kind.value} (its options: {', '.join(sorted(allowed)) or 'none'})"
        choices = allowed[key]
        if isinstance(value, str) and value.startswith("$"):
            if value[1:] not in params:
                return f"{key}: {value} is not a parameter of this question"
            continue
        if choices is None:
            if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
                return f"{key} must be a whole number ≥ 0 or a $parameter, got {value!r}"
        elif value not in choices:
            return f"{key} must be one of {', '.join(map(str, choices))}, got {value!r}"
    return None


def _filled(options: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: values.get(v[1:], v) if isinstance(v, str) and v.startswith("$") else v for k, v in options.items()}


def _words(model: ModelSolution, index: int | None) -> dict[str, Any]:
    if index is None:
        return {"target": "the whole model", "target_zh": "整个模型"}
    layer = model.layers[index]
    return {"n": index + 1, "name": layer.name, "type": layer.type,
            "target": f"layer {index + 1} ({layer.name}, {layer.type})", "target_zh": f"第 {index + 1} 层 ({layer.name}, {layer.type}) "}


def family_question(sampled: Sampled, qid: str) -> Question:
    template = sampled.template
    model = sampled.solution
    kind = template.kind
    options = _filled(template.options, sampled.values)
    index = sampled.layer
    words: dict[str, Any] = {k: v for k, v in sampled.values.items() if isinstance(v, (int, str))}
    answer: Any
    if kind is QuestionKind.RECEPTIVE_FIELD:
        index = index if index is not None else len(model.layers) - 1
        answer, mistakes, steps, details = rf.receptive_question(model, model.layers[index], options)
        words.update(rf.prompt_words(options, model))
        default = rf.DEFAULT_PROMPT
    elif kind is QuestionKind.MEMORY:
        answer, mistakes, steps, details = mem.memory_question(model, options)
        words.update(mem.prompt_words(options))
        default = mem.DEFAULT_PROMPT
    elif kind is QuestionKind.TRAINING_FLOPS:
        answer, mistakes, steps, details = tf.training_question(model, options)
        words.update(tf.prompt_words(options))
        default = tf.DEFAULT_PROMPT
    elif kind is QuestionKind.RATIO:
        if index is None:
            raise ValueError("a ratio question compares one layer: give layer:")
        answer, mistakes, steps, details = rt.ratio_question(model, model.layers[index], options)
        words.update(rt.prompt_words(options))
        default = rt.DEFAULT_PROMPT
    else:
        raise ValueError(f"kind {kind.value} is not a question family")
    words.update(_words(model, index))
    if options.get("allow_rounding"):
        details["allow_rounding"] = True
    prompt = fill(template.prompt or default, words)
    return Question(id=qid, template=template.id, kind=kind, points=template.points, spec=sampled.spec, layer=index,
                    prompt=prompt, answer=answer, mistakes=mistakes, solution=steps, topic=template.topic, details=details)
