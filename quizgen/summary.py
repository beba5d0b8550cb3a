"""`quizgen solve` outputs: a model.summary()-like table, markdown, and the JSON contract."""

from __future__ import annotations

__all__ = ["dim_labels", "format_markdown", "format_table", "layer_steps", "solution_to_json"]

from typing import Any

from .i18n import Lang, t
from .layers.base import channels_first
from .layers.core import layout_names
from .solver import LayerSolution, ModelSolution
from .spec import Framework


def shape_text(shape: tuple[int | None, ...], framework: Framework) -> str:
    """Keras prints the batch dimension as None; PyTorch shapes exclude it."""
    dims = ["None" if d is None else str(d) for d in shape]
    if framework is Framework.KERAS:
        return "(" + ", ".join(["None", *dims]) + ")"
    return "[" + ", ".join(dims) + "]"


_SEQUENCE_FAMILIES = frozenset({"dense", "rnn", "attention", "embedding"})


def dim_labels(layer: LayerSolution) -> tuple[str, ...]:
    """Names of the output dimensions: H_out/W_out/C_out for images, L_out/N_out for sequences.

    They follow the layer's own layout: PyTorch is channels-first, Keras channels-last unless
    the layer says ``data_format='channels_first'``.
    """
    rank = len(layer.output_shape)
    if layer.kind.family in _SEQUENCE_FAMILIES and rank <= 2:
        return ("L_out", "N_out")[2 - rank:]
    channels_last = layer.kind.framework is Framework.KERAS and not channels_first(layer.args)
    names = layout_names(rank, channels_last)
    return tuple(n.replace("_in", "_out") for n in names)


def layer_steps(layer: LayerSolution, lang: Lang = Lang.EN) -> list[str]:
    """Worked steps of one layer: each output dimension computed, parameters, MACs."""
    steps = []
    for label, bound in zip(dim_labels(layer), layer.outcome.dims, strict=False):
        if bound is not None:
            steps.append(f"{label} = {bound.steps()}")
    if layer.non_trainable.value:
        steps.append(f"{t('step_trainable', lang)}: {layer.trainable.steps()}")
        steps.append(f"{t('step_non_trainable', lang)}: {layer.non_trainable.steps()}")
    else:
        steps.append(f"{t('step_params', lang)}: {layer.trainable.steps()}")
    if layer.outcome.macs is not None and layer.outcome.macs.value:
        steps.append(f"{t('step_macs', lang)}: {layer.outcome.macs.steps()}")
    return steps


def params_formula(layer: LayerSolution) -> str:
    if layer.non_trainable.value and layer.trainable.value:
        return f"{layer.trainable.formula()} + {layer.non_trainable.formula()}"
    return (layer.non_trainable if layer.non_trainable.value else layer.trainable).formula()


def solution_to_json(solution: ModelSolution, lang: Lang = Lang.EN) -> dict[str, Any]:
    spec = solution.spec
    return {
        "framework": spec.framework.value,
        "input_shape": list(spec.input_shape),
        "layers": [
            {
                "name": layer.name,
                "type": layer.type,
                "output_shape": list(layer.output_shape),
                "params": layer.params,
                "trainable": int(layer.trainable.value),
                "non_trainable": int(layer.non_trainable.value),
                "macs": layer.macs,
                "formula": params_formula(layer),
                "steps": layer_steps(layer, lang),
            }
            for layer in solution.layers
        ],
        "total_params": solution.total_params,
        "trainable_params": solution.trainable_params,
        "non_trainable_params": solution.non_trainable_params,
        "total_macs": solution.total_macs,
    }


def _count(value: int | None, lang: Lang) -> str:
    return t("unknown", lang) if value is None else f"{value:,}"


def _rows(solution: ModelSolution) -> list[tuple[str, str, str, str]]:
    fw = solution.spec.framework
    return [(f"{layer.name} ({layer.type})", shape_text(layer.output_shape, fw), f"{layer.params:,}",
             "" if layer.macs is None else f"{layer.macs:,}") for layer in solution.layers]


def _totals(solution: ModelSolution, lang: Lang) -> list[str]:
    return [
        f"{t('total_params', lang)}: {solution.total_params:,}",
        f"{t('trainable_params', lang)}: {solution.trainable_params:,}",
        f"{t('non_trainable_params', lang)}: {solution.non_trainable_params:,}",
        f"{t('total_macs', lang)}: {_count(solution.total_macs, lang)}",
    ]


def _width(text: str) -> int:
    """Display width: CJK characters take two terminal columns."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(solution: ModelSolution, lang: Lang = Lang.EN, *, explain: bool = False) -> str:
    header = (t("layer", lang), t("output_shape", lang), t("params", lang), t("macs", lang))
    rows = _rows(solution)
    widths = [max(_width(r[i]) for r in [header, *rows]) + 2 for i in range(4)]
    rule = "=" * sum(widths)
    lines = [rule, "".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(), rule]
    for layer, row in zip(solution.layers, rows, strict=True):
        lines.append("".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        if explain:
            lines.extend(f"    {step}" for step in layer_steps(layer, lang))
    lines.append(rule)
    lines.extend(_totals(solution, lang))
    lines.append("_" * sum(widths))
    return "\n".join(lines)


def format_markdown(solution: ModelSolution, lang: Lang = Lang.EN, *, explain: bool = False) -> str:
    header = (t("layer", lang), t("output_shape", lang), t("params", lang), t("macs", lang))
    lines = ["| " + " | ".join(header) + " |", "|---|---|--:|--:|"]
    for row in _rows(solution):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    lines.append("")
    lines.extend(f"- {line}" for line in _totals(solution, lang))
    if explain:
        lines.append("")
        for layer in solution.layers:
            lines.append(f"**{layer.name} ({layer.type})**")
            lines.append("")
            lines.extend(f"- `{step}`" for step in layer_steps(layer, lang))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
