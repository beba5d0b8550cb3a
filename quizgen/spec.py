"""Network specs: the framework, the input shape (batch excluded) and the layer stack.

A spec names layers and keyword arguments exactly as the framework does
(``keras.layers.Conv2D(filters=32, ...)`` is ``- Conv2D: {filters: 32}``). This module only
reads the structure; whether a layer and its arguments exist is checked by the solver,
which knows every layer kind.
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_INPUT",
    "Framework",
    "LayerSpec",
    "NetworkSpec",
    "load_spec",
    "parse_spec",
    "read_spec_text",
    "spec_to_mapping",
]

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import Location, QuizgenError, SpecError
from .specgraph import expand_layers, is_graph_item, shown
from .yamlio import LineDict, line_of, load_text


class Framework(StrEnum):
    KERAS = "keras"
    PYTORCH = "pytorch"


_FRAMEWORK_ALIASES = {"keras": Framework.KERAS, "tf.keras": Framework.KERAS, "tensorflow": Framework.KERAS,
                      "pytorch": Framework.PYTORCH, "torch": Framework.PYTORCH}


DEFAULT_INPUT = "input"  # the name of a spec's only input when it does not name its inputs


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One layer call. A chain layer leaves ``name`` and ``inputs`` empty: its input is the
    previous layer's output (the model's first input for the first layer)."""

    type: str
    kwargs: Mapping[str, Any]
    line: int | None = field(default=None, compare=False)
    name: str | None = None  # the node's name in a graph (None: auto-named like Keras)
    inputs: tuple[str, ...] | None = None  # producing nodes or model inputs, in call order; None: the previous layer
    shares: str | None = None  # a second call of that node's layer: its weights count once
    within: tuple[tuple[str, str], ...] = ()  # enclosing block instances (name, block), outermost first


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    framework: Framework
    input_shape: tuple[int | None, ...]  # the first (for a chain: the only) input's shape
    layers: tuple[LayerSpec, ...]
    source: str | None = field(default=None, compare=False)
    inputs: tuple[tuple[str, tuple[int | None, ...]], ...] = ()  # named model inputs; () is one input called "input"
    outputs: tuple[str, ...] = ()  # the model's outputs; () is the last layer

    @property
    def model_inputs(self) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
        return self.inputs or ((DEFAULT_INPUT, self.input_shape),)

    @property
    def is_graph(self) -> bool:
        """False for a plain chain of layers (the classic spec form, kept byte for byte)."""
        return bool(self.inputs or self.outputs) or any(
            layer.name is not None or layer.inputs is not None or layer.shares is not None or layer.within for layer in self.layers)


def _plain(value: Any) -> Any:
    """Strip line-tracking containers and turn tuples into lists (the JSON form)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _parse_input_shape(value: Any, where: Location) -> tuple[int | None, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value:
        raise SpecError(f"input_shape must be a non-empty list of sizes (batch excluded), got {shown(value)}", where)
    dims: list[int | None] = []
    for dim in value:
        if dim is None or (isinstance(dim, int) and not isinstance(dim, bool) and dim >= 1):
            dims.append(dim)
        else:
            raise SpecError(f"input_shape: every size must be a positive integer or null, got {shown(dim)}", where)
    return tuple(dims)


def parse_layer(item: Any, index: int, source: str | None, line: int | None) -> LayerSpec:
    where = Location(file=source, line=line)
    if isinstance(item, str):  # "- Flatten" is a convenient shorthand for "- Flatten: {}"
        return LayerSpec(item, {}, line)
    if not isinstance(item, Mapping) or len(item) != 1:
        raise SpecError(
            f"layer {index}: expected a mapping with exactly one layer name, like '- Conv2D: {{filters: 32, kernel_size: 3}}', "
            f"got {shown(item)}",
            where,
        )
    ((name, kwargs),) = item.items()
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, Mapping):
        raise SpecError(f"layer {index} {name}: arguments must be a mapping of keyword arguments, got {shown(kwargs)}", where)
    return LayerSpec(str(name), _plain(kwargs), line)


_TOP_KEYS = ("framework", "input_shape", "inputs", "outputs", "blocks", "layers")


def _parse_inputs(data: Mapping[str, Any], source: str | None,
                  input_shape: Sequence[int | None] | None) -> tuple[tuple[str, tuple[int | None, ...]], ...]:
    """``input_shape: [..]`` (one input called "input") or ``inputs: {name: shape, ...}``."""
    top = Location(file=source, line=line_of(data))
    named = data.get("inputs")
    if named is not None:
        where = Location(file=source, line=line_of(data, "inputs"))
        if "input_shape" in data:
            raise SpecError("give either input_shape (one input) or inputs (named inputs), not both", where)
        if not isinstance(named, Mapping) or not named:
            raise SpecError("inputs must map each input's name to its shape, e.g. inputs: {image: [32, 32, 3]}", where)
        if input_shape is not None:
            if len(named) != 1:
                raise SpecError("--input-shape gives one shape but the spec has several inputs", where)
            named = {next(iter(named)): list(input_shape)}
        return tuple((str(name), _parse_input_shape(shape, Location(file=source, line=line_of(named, name))))
                     for name, shape in named.items())
    shape_value = list(input_shape) if input_shape is not None else data.get("input_shape")
    if shape_value is None:
        raise SpecError("input_shape is missing (the shape of one sample, batch excluded, e.g. [28, 28, 1])", top)
    return ((DEFAULT_INPUT, _parse_input_shape(shape_value, Location(file=source, line=line_of(data, "input_shape")))),)


def _parse_outputs(data: Mapping[str, Any], source: str | None) -> tuple[str, ...]:
    outputs = data.get("outputs")
    if outputs is None:
        return ()
    if isinstance(outputs, str):
        outputs = [outputs]
    if not isinstance(outputs, Sequence) or not outputs or not all(isinstance(o, str) for o in outputs):
        raise SpecError("outputs must be a list of layer names", Location(file=source, line=line_of(data, "outputs")))
    return tuple(outputs)


def parse_spec(data: Any, source: str | None = None, *, input_shape: Sequence[int | None] | None = None) -> NetworkSpec:
    """Build a NetworkSpec from a mapping (as read from YAML/JSON), checking its structure."""
    top = Location(file=source, line=line_of(data))
    if not isinstance(data, Mapping):
        raise SpecError("a network spec must be a mapping with keys framework, input_shape and layers", top)
    unknown = sorted(set(data) - set(_TOP_KEYS))
    if unknown:
        raise SpecError(f"unknown key {unknown[0]!r} (a spec has {', '.join(_TOP_KEYS)})",
                        Location(file=source, line=line_of(data, unknown[0])))
    framework_text = data.get("framework")
    framework = _FRAMEWORK_ALIASES.get(str(framework_text).lower()) if framework_text is not None else None
    if framework is None:
        raise SpecError(f"framework must be 'keras' or 'pytorch', got {framework_text!r}",
                        Location(file=source, line=line_of(data, "framework")))
    inputs = _parse_inputs(data, source, input_shape)
    outputs = _parse_outputs(data, source)
    layers = data.get("layers")
    if not isinstance(layers, Sequence) or isinstance(layers, str) or not layers:
        raise SpecError("layers must be a non-empty list", Location(file=source, line=line_of(data, "layers")))
    graph = bool(outputs or data.get("blocks") or "inputs" in data) or any(is_graph_item(item) for item in layers)
    if graph:
        from .layers import all_kinds

        kinds = frozenset(kind.name for kind in all_kinds(framework))
        parsed = expand_layers(layers, data.get("blocks"), framework.value, source, [name for name, _ in inputs], kinds)
    else:
        parsed = tuple(parse_layer(item, i + 1, source, line_of(layers, i)) for i, item in enumerate(layers))
    named_inputs = inputs if "inputs" in data else ()
    return NetworkSpec(framework, inputs[0][1], parsed, source, named_inputs, outputs)


def _layer_to_mapping(layer: LayerSpec, previous: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {} if layer.shares is not None else {layer.type: _plain(layer.kwargs)}
    if layer.name is not None:
        item["name"] = layer.name
    if layer.inputs is not None and (previous is None or layer.inputs != (previous,)):
        item["inputs"] = list(layer.inputs)
    if layer.shares is not None:
        item["shares"] = layer.shares
    if layer.within:
        item["within"] = [list(pair) for pair in layer.within]
    return item


def spec_to_mapping(spec: NetworkSpec) -> dict[str, Any]:
    """The JSON/YAML form of a spec (as stored in key.json)."""
    if not spec.is_graph:
        return {
            "framework": spec.framework.value,
            "input_shape": list(spec.input_shape),
            "layers": [{layer.type: _plain(layer.kwargs)} for layer in spec.layers],
        }
    mapping: dict[str, Any] = {"framework": spec.framework.value}
    if spec.inputs:
        mapping["inputs"] = {name: list(shape) for name, shape in spec.inputs}
    else:
        mapping["input_shape"] = list(spec.input_shape)
    layers = []
    previous: str | None = spec.model_inputs[0][0]
    for layer in spec.layers:
        layers.append(_layer_to_mapping(layer, previous))
        previous = layer.name
    mapping["layers"] = layers
    if spec.outputs:
        mapping["outputs"] = list(spec.outputs)
    return mapping


def read_spec_text(text: str, source: str, *, suffix: str = ".yaml",
                   input_shape: Sequence[int | None] | None = None, model_name: str | None = None,
                   model_args: dict[str, str] | None = None, notes: list[str] | None = None,
                   picked: list[str] | None = None) -> NetworkSpec:
    """``model_name``/``model_args`` pick the model of a code file (--model, --arg); ``notes``
    collects what the code reader tells the user (which input shape it used, ...), ``picked`` the
    name of the model it read (its class or builder function, when the code names one)."""
    if suffix == ".py":
        from .codeio import read_model_code

        model = read_model_code(text, source, input_shape, model=model_name, arguments=model_args, names=True)
        if notes is not None:
            notes.extend(model.notes)
        if picked is not None and model.model_name:
            picked.append(model.model_name)
        data: Any = LineDict(model.spec)
        layers = model.spec["layers"]
        lines = list(model.layer_lines)
        from .yamlio import LineList

        tracked = LineList(layers if isinstance(layers, list) else [])
        tracked.item_lines = lines
        data["layers"] = tracked
        if "inputs" in data:
            input_shape = None  # the graph reader traced with --input-shape already
        elif data.get("input_shape") is None and input_shape is None:
            raise SpecError("the model code does not state its input shape; pass --input-shape (e.g. --input-shape 3,32,32)",
                            Location(file=source))
    else:
        data = load_text(text, source)
    return parse_spec(data, source, input_shape=input_shape)


def _looks_like_code(text: str) -> bool:
    """Standard input carries no file name: model code has imports, classes or calls; a spec has `layers:`."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return bool(lines) and not any(line.startswith(("layers", "framework", "{", '"')) for line in lines)


def load_spec(path: str | Path, *, input_shape: Sequence[int | None] | None = None, model_name: str | None = None,
              model_args: dict[str, str] | None = None, notes: list[str] | None = None,
              picked: list[str] | None = None) -> NetworkSpec:
    """Read a spec from .yaml/.yml/.json/.py, or from standard input when path is ``-``."""
    options: dict[str, Any] = {"input_shape": input_shape, "model_name": model_name, "model_args": model_args, "notes": notes,
                               "picked": picked}
    if str(path) == "-":
        text = sys.stdin.read()
        return read_spec_text(text, "<stdin>", suffix=".py" if _looks_like_code(text) else ".yaml", **options)
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".yaml", ".yml", ".json", ".py"}:
        raise SpecError(f"unsupported spec file type {suffix or '(none)'!r}: use .yaml, .yml, .json or .py", Location(file=str(path)))
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise QuizgenError("no such file", Location(file=str(path))) from None
    except (OSError, UnicodeDecodeError) as error:
        raise QuizgenError(f"cannot read: {error}", Location(file=str(path))) from None
    if (model_name is not None or model_args) and suffix != ".py":
        raise QuizgenError("--model and --arg apply to model code (.py) only", Location(file=str(path)))
    return read_spec_text(text, str(path), suffix=suffix, **options)
