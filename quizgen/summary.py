"""`quizgen solve` outputs: a model.summary()-like table, markdown, and the JSON contract."""

from __future__ import annotations

__all__ = ["connections", "dim_labels", "format_markdown", "format_table", "layer_steps", "solution_to_json"]

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


def _layer_json(layer: LayerSolution, lang: Lang, graph: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
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
    if graph:  # additions for graph networks; a chain's JSON stays as it was
        item["inputs"] = list(layer.inputs)
        if layer.shares is not None:
            item["shares"] = layer.shares
        if layer.within:
            item["within"] = [name for name, _ in layer.within]
    return item


def solution_to_json(solution: ModelSolution, lang: Lang = Lang.EN) -> dict[str, Any]:
    spec = solution.spec
    graph = spec.is_graph
    data: dict[str, Any] = {
        "framework": spec.framework.value,
        "input_shape": list(spec.input_shape),
        "layers": [_layer_json(layer, lang, graph) for layer in solution.layers],
        "total_params": solution.total_params,
        "trainable_params": solution.trainable_params,
        "non_trainable_params": solution.non_trainable_params,
        "total_macs": solution.total_macs,
    }
    if graph:
        data["inputs"] = {name: list(shape) for name, shape in spec.model_inputs}
        data["outputs"] = list(solution.outputs)
    return data


def _count(value: int | None, lang: Lang) -> str:
    return t("unknown", lang) if value is None else f"{value:,}"


def _rows(solution: ModelSolution) -> list[tuple[tuple[str, ...], tuple[LayerSolution, ...]]]:
    """The table's rows, each with the layer calls it stands for. Keras prints one row per layer, so a shared
    layer's calls share its row, at its first call: every call's inputs under "Connected to", the last call's
    output shape (as `model.summary()` shows it), the layer's weights once and every call's MACs."""
    fw = solution.spec.framework
    links = connections(solution)
    if links is None:
        return [((f"{layer.name} ({layer.type})", shape_text(layer.output_shape, fw), f"{layer.params:,}",
                  "" if layer.macs is None else f"{layer.macs:,}"), (layer,)) for layer in solution.layers]
    calls: dict[str, list[LayerSolution]] = {}
    refs: dict[str, list[str]] = {}
    for layer, inputs in zip(solution.layers, links, strict=True):
        owner = layer.shares if layer.shares in calls else layer.name
        calls.setdefault(owner, []).append(layer)
        refs.setdefault(owner, []).extend(inputs)
    rows: list[tuple[tuple[str, ...], tuple[LayerSolution, ...]]] = []
    for owner, each in calls.items():
        first, last = each[0], each[-1]
        macs = None if any(c.macs is None for c in each) else sum(c.macs or 0 for c in each)
        rows.append(((f"{first.name} ({first.type})", shape_text(last.output_shape, fw), f"{sum(c.params for c in each):,}",
                      "" if macs is None else f"{macs:,}", ", ".join(refs[owner])), tuple(each)))
    return rows


def _input_rows(solution: ModelSolution) -> list[tuple[str, ...]]:
    """Keras' functional summary opens with a row per model input: `input (InputLayer)`, its shape, 0, -."""
    if not _connected(solution):
        return []
    fw = solution.spec.framework
    return [(f"{name} (InputLayer)", shape_text(shape, fw), "0", "0", "-") for name, shape in solution.spec.model_inputs]


def connections(solution: ModelSolution) -> tuple[tuple[str, ...], ...] | None:
    """Per layer, the tensors Keras' "Connected to" column names (``conv_b[0][0]``); the printed
    cell joins them with ", ". None when Keras prints no such column (a chain, or PyTorch)."""
    if not _connected(solution):
        return None
    calls = _call_numbers(solution)
    return tuple(tuple(f"{calls.get(ref, (ref, 0))[0]}[{calls.get(ref, (ref, 0))[1]}][0]" for ref in layer.inputs)
                 for layer in solution.layers)


def _connected(solution: ModelSolution) -> bool:
    """Keras prints a "Connected to" column for functional (graph) models."""
    return solution.spec.framework is Framework.KERAS and solution.spec.is_graph


def _call_numbers(solution: ModelSolution) -> dict[str, tuple[str, int]]:
    """Keras names a tensor by its layer and call: a shared layer's second call is layer[1][0]."""
    calls: dict[str, tuple[str, int]] = {}
    count: dict[str, int] = {}
    for layer in solution.layers:
        owner = layer.shares or layer.name
        calls[layer.name] = (owner, count.get(owner, 0))
        count[owner] = count.get(owner, 0) + 1
    return calls


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


def _header(solution: ModelSolution, lang: Lang) -> tuple[str, ...]:
    header = (t("layer", lang), t("output_shape", lang), t("params", lang), t("macs", lang))
    return (*header, t("connected_to", lang)) if _connected(solution) else header


def format_table(solution: ModelSolution, lang: Lang = Lang.EN, *, explain: bool = False, depth: int | None = None) -> str:
    """Keras' summary table (with "Connected to" for graphs), or the nested view of blocks to ``depth``."""
    if depth is not None:
        from .summary_nested import format_nested

        return format_nested(solution, lang, depth, explain=explain)
    header = _header(solution, lang)
    rows = _rows(solution)
    inputs = _input_rows(solution)
    widths = [max(_width(r[i]) for r in [header, *inputs, *(row for row, _ in rows)]) + 2 for i in range(len(header))]
    rule = "=" * sum(widths)
    lines = [rule, "".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(), rule]
    lines.extend("".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip() for row in inputs)
    for row, calls in rows:
        lines.append("".join(_pad(c, w) for c, w in zip(row, widths, strict=True)).rstrip())
        if explain:
            lines.extend(f"    {step}" for layer in calls for step in layer_steps(layer, lang))
    lines.append(rule)
    lines.extend(_totals(solution, lang))
    lines.append("_" * sum(widths))
    return "\n".join(lines)


def format_markdown(solution: ModelSolution, lang: Lang = Lang.EN, *, explain: bool = False, depth: int | None = None) -> str:
    if depth is not None:
        from .summary_nested import format_nested_markdown

        return format_nested_markdown(solution, lang, depth)
    header = _header(solution, lang)
    lines = ["| " + " | ".join(header) + " |", "|---|---|--:|--:|" + ("---|" if len(header) > 4 else "")]
    for row in [*_input_rows(solution), *(row for row, _ in _rows(solution))]:
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
