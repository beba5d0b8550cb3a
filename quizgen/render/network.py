"""How a question shows its network: real Keras/PyTorch code, a layer table and a diagram.

For a ``missing_hyperparameter`` question the hidden argument reads ``?`` everywhere on the
student copy (code and diagram); the answer key's layer table shows every argument.
"""

from __future__ import annotations

__all__ = ["LayerRow", "NetworkView", "network_diagram", "network_view"]

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from ..errors import QuizgenError
from ..solver import ModelSolution
from ..spec import NetworkSpec, spec_to_mapping
from ..specgraph import RESERVED_ITEM_KEYS
from ..summary import shape_text
from .diagram import Box, layer_diagram
from .diagram_graph import GraphNode, graph_diagram

_log = logging.getLogger(__name__)

# Stands in for the hidden argument while the code writer runs; it can never be a real value.
_SENTINEL = "QUIZGEN-HIDDEN-ARGUMENT"
_COUNT_ARGS = ("filters", "out_channels", "units", "out_features", "hidden_size", "num_heads", "output_dim", "embedding_dim",
               "depth_multiplier")
_KERNEL_ARGS = ("kernel_size", "pool_size")
_STRIDE_ARGS = ("strides", "stride")
_RATE_ARGS = ("rate", "p")


@dataclass(frozen=True, slots=True)
class LayerRow:
    number: int  # 1-based, as prompts number layers
    name: str
    type: str
    args: str
    shape: str
    params: int
    macs: int | None


@dataclass(frozen=True, slots=True)
class NetworkView:
    framework: str
    input_shape: str
    code: Markup  # Python code, or a plain listing for a layer the code writer does not know yet
    rows: tuple[LayerRow, ...]
    diagram: Markup | None


def py_literal(value: Any) -> str:
    """A value as it reads in Python code: lists as tuples, strings quoted."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}({format_args(v)})" if isinstance(v, Mapping) else f"{k}={py_literal(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        items = [py_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return repr(value)


def format_args(kwargs: Mapping[str, Any], hidden: str | None = None) -> str:
    return ", ".join(f"{k}=?" if k == hidden else f"{k}={py_literal(v)}" for k, v in kwargs.items())


def _type_key(item: Mapping[str, Any]) -> str | None:
    """The layer-type key of a spec item (graph items also carry name, inputs, ...)."""
    return next((key for key in item if key not in RESERVED_ITEM_KEYS), None)


def _with_hidden(mapping: dict[str, Any], layer: int, arg: str, value: Any) -> dict[str, Any]:
    layers = [dict(item) for item in mapping["layers"]]
    kind = _type_key(layers[layer])
    if kind is not None:
        layers[layer][kind] = {**dict(layers[layer][kind] or {}), arg: value}
    return {**mapping, "layers": layers}


def _listing(mapping: Mapping[str, Any]) -> str:
    shape = mapping.get("input_shape", mapping.get("inputs"))
    lines = [f"framework: {mapping['framework']}", f"input_shape: {shape}", "layers:"]
    for item in mapping["layers"]:
        kind = _type_key(item) or f"shares {item.get('shares')}"
        kwargs = item.get(kind) or {} if _type_key(item) else {}
        args = ", ".join(f"{k}=?" if v == _SENTINEL else f"{k}={py_literal(v)}" for k, v in dict(kwargs).items())
        wiring = f"  # {item['name']} <- {', '.join(item['inputs'])}" if "inputs" in item and "name" in item else ""
        lines.append(f"  - {kind}({args}){wiring}")
    return "\n".join(lines) + "\n"


def _code(spec: NetworkSpec, hidden: tuple[int, str] | None) -> Markup:
    from ..codeio import write_model_code

    mapping = spec_to_mapping(spec)
    if hidden is not None:
        mapping = _with_hidden(mapping, hidden[0], hidden[1], _SENTINEL)
    try:
        text = write_model_code(mapping)
    except QuizgenError as error:
        # The code writer may not know a newly added layer kind yet: a listing still shows everything.
        _log.info("network shown as a listing: %s", error)
        text = _listing(mapping)
    # The writer quotes the stand-in like any string argument; the worksheet shows a bare, marked "?".
    pieces = text.replace(f'"{_SENTINEL}"', _SENTINEL).replace(f"'{_SENTINEL}'", _SENTINEL).split(_SENTINEL)
    return Markup('<mark class="hidden">?</mark>').join(escape(piece) for piece in pieces)


def _kernel(value: Any, type_name: str) -> str:
    if isinstance(value, (list, tuple)):
        return "×".join(str(v) for v in value)
    if type_name.endswith(("2D", "2d")):
        return f"{value}×{value}"
    if type_name.endswith(("3D", "3d")):
        return f"{value}×{value}×{value}"
    return str(value)


def _first(kwargs: Mapping[str, Any], names: Sequence[str]) -> tuple[str, Any] | None:
    """The first of ``names`` given in ``kwargs``, with its value (a loop: a class set notes ~2,400 layers)."""
    for name in names:
        if name in kwargs:
            return name, kwargs[name]
    return None


def _note(type_name: str, kwargs: Mapping[str, Any], hidden: str | None) -> str:
    """A few words under a glyph: '63 × 3×3 /2' (filters × kernel / stride), 'p=0.5', '128'."""
    parts: list[str] = []
    count, kernel = _first(kwargs, _COUNT_ARGS), _first(kwargs, _KERNEL_ARGS)
    stride, rate = _first(kwargs, _STRIDE_ARGS), _first(kwargs, _RATE_ARGS)
    if count:
        parts.append("?" if count[0] == hidden else str(count[1]))
    if kernel:
        parts.append("?" if kernel[0] == hidden else _kernel(kernel[1], type_name))
    text = " × ".join(parts)
    if stride and (stride[0] == hidden or stride[1] not in (1, [1, 1], (1, 1), [1], None)):
        value = stride[1]
        if isinstance(value, (list, tuple)) and len(set(value)) == 1:
            value = value[0]
        text += " /" + ("?" if stride[0] == hidden else (py_literal(value) if isinstance(value, (list, tuple)) else str(value)))
    if rate and not parts:
        text = f"{rate[0]}={'?' if rate[0] == hidden else rate[1]}"
    return text.strip()


def _boxes(model: ModelSolution, hidden: tuple[int, str] | None, *, input_label: str) -> list[Box]:
    """The student's diagram: every computed shape reads "?", the hidden argument too."""
    framework = model.spec.framework
    boxes = [Box("", input_label, "", shape_text(model.spec.input_shape, framework), len(model.spec.input_shape), is_input=True)]
    for layer, spec_layer in zip(model.layers, model.spec.layers, strict=True):
        kwargs, arg = spec_layer.kwargs, None
        if hidden is not None and hidden[0] == layer.index:
            arg = hidden[1]
            kwargs = kwargs if arg in kwargs else {**kwargs, arg: None}  # a hidden default (stride 1) still shows as "?"
        note = _note(layer.type, kwargs, arg)
        if layer.shares is not None:  # the same layer called again: "≡ 1" reads in any language
            note = f"≡ {model.layer_named(layer.shares).index + 1}"
        boxes.append(Box(str(layer.index + 1), layer.type, note, "?", len(layer.output_shape)))
    return boxes


MAX_GRAPH_DIAGRAM = 48  # layers; a bigger network's drawing would run over several pages: its code says it all


def _graph_diagram(model: ModelSolution, hidden: tuple[int, str] | None, *, input_label: str, label: str,
                   font_family: str) -> Markup | None:
    if len(model.layers) > MAX_GRAPH_DIAGRAM:
        return None
    framework = model.spec.framework
    nodes = [GraphNode(Box("", input_label if len(model.spec.model_inputs) == 1 else name, "", shape_text(shape, framework),
                           len(shape), is_input=True), name, ()) for name, shape in model.spec.model_inputs]
    boxes = _boxes(model, hidden, input_label=input_label)[1:]
    nodes.extend(GraphNode(boxes[i], model.layers[i].name, model.layers[i].inputs, model.layers[i].shares)
                 for i in model.topological_order)
    return graph_diagram(nodes, label=label, font_family=font_family)


def network_diagram(model: ModelSolution, hidden: tuple[int, str] | None, *, input_label: str, diagram_label: str,
                    font_family: str, width: int) -> Markup | None:
    """The student's diagram alone (an LMS export embeds it and shows its own code listing)."""
    if model.spec.is_graph:
        return _graph_diagram(model, hidden, input_label=input_label, label=diagram_label, font_family=font_family)
    return layer_diagram(_boxes(model, hidden, input_label=input_label), width=width, label=diagram_label, font_family=font_family)


def network_view(model: ModelSolution, hidden: tuple[int, str] | None, *, diagram: bool, input_label: str,
                 diagram_label: str, font_family: str, width: int) -> tuple[NetworkView, NetworkView]:
    """(student view, key view) of one question's network.

    The student sees the code and, for a multi-layer network, the diagram; the key shows the
    layer table with every shape, count and MAC instead: shorter, and what a grader looks up.
    """
    spec = model.spec
    code = _code(spec, hidden)
    rows = tuple(LayerRow(layer.index + 1, layer.name, layer.type, format_args(spec_layer.kwargs),
                          shape_text(layer.output_shape, spec.framework), layer.params, layer.macs)
                 for layer, spec_layer in zip(model.layers, spec.layers, strict=True))
    svg = network_diagram(model, hidden, input_label=input_label, diagram_label=diagram_label, font_family=font_family,
                          width=width) if diagram else None
    fw, shape = spec.framework.value, shape_text(spec.input_shape, spec.framework)
    return NetworkView(fw, shape, code, (), svg), NetworkView(fw, shape, Markup(""), rows, None)
