"""Write a graph network spec (named layers with inputs) as code that builds it.

Keras graphs become functional-API code, one variable per layer output
(``basic_proj = layers.Conv2D(...)(inputs)``, ``keras.Model(inputs, outputs)``); PyTorch
graphs an ``nn.Module`` whose ``forward`` names every intermediate tensor the same way.
Variable names follow the spec's layer names, so a question about ``basic.proj`` points at
the line ``basic_proj = ...``. PyTorch arguments that the spec leaves to be inferred
(``in_channels``, ``in_features``, ``num_features``) are left to the ``Lazy`` modules, which
infer them from the first batch as the spec does, instead of giving them away.
"""

from __future__ import annotations

__all__ = ["is_graph_mapping", "write_graph_code"]

import keyword
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import Location, SpecError

_INDENT = "    "
_RESERVED = ("name", "inputs", "shares", "within")
# Modules whose inferred first argument PyTorch can infer too, through a Lazy twin.
_LAZY = {
    **{f"Conv{n}d": ("in_channels", f"LazyConv{n}d") for n in (1, 2, 3)},
    **{f"ConvTranspose{n}d": ("in_channels", f"LazyConvTranspose{n}d") for n in (1, 2, 3)},
    **{f"BatchNorm{n}d": ("num_features", f"LazyBatchNorm{n}d") for n in (1, 2, 3)},
    **{f"InstanceNorm{n}d": ("num_features", f"LazyInstanceNorm{n}d") for n in (1, 2, 3)},
    "Linear": ("in_features", "LazyLinear"),
}
_TUPLE_OUTPUT = frozenset({"RNN", "LSTM", "GRU", "MultiheadAttention"})
_TORCH_FUNCTIONS = {"torch.add", "torch.sub", "torch.mul", "torch.cat", "torch.stack", "torch.flatten", "torch.select",
                    "torch.mean", "torch.permute", "torch.transpose", "torch.reshape"}


def is_graph_mapping(spec: Mapping[str, Any]) -> bool:
    layers = spec.get("layers")
    return "inputs" in spec or "outputs" in spec or (isinstance(layers, list) and any(
        isinstance(item, Mapping) and any(key in item for key in _RESERVED) for item in layers))


def _literal(value: Any, prefix: str = "nn.") -> str:
    if isinstance(value, str):
        return repr(value).replace("'", '"') if '"' not in value and "\\" not in value else repr(value)
    if isinstance(value, Mapping):  # a layer argument that is itself a layer: {TransformerEncoderLayer: {...}}
        if len(value) != 1:
            raise SpecError(f"cannot write the mapping {value!r} as a layer argument", Location())
        ((type_name, kwargs),) = value.items()
        return f"{prefix}{type_name}({_args(dict(kwargs or {}), prefix)})"
    if isinstance(value, (list, tuple)):
        items = [_literal(v, prefix) for v in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    return repr(value)


def _args(kwargs: Mapping[str, Any], prefix: str = "nn.") -> str:
    return ", ".join(f"{k}={_literal(v, prefix)}" for k, v in kwargs.items())


class _Names:
    """Python identifiers for layer and input names, unique within one program."""

    def __init__(self, taken: Sequence[str] = ()) -> None:
        self.taken = set(taken)
        self.map: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        if name in self.map:
            return self.map[name]
        base = re.sub(r"\W", "_", name)
        if not base or base[0].isdigit() or keyword.iskeyword(base) or base in {"input", "model", "self", "torch", "nn", "keras",
                                                                                 "layers", "Net"}:
            base = f"{base}_" if base and not base[0].isdigit() else f"t_{base}"
        text, count = base, 1
        while text in self.taken:
            count += 1
            text = f"{base}_{count}"
        self.taken.add(text)
        self.map[name] = text
        return text


def _split(item: Mapping[str, Any]) -> tuple[str | None, Mapping[str, Any], Mapping[str, Any]]:
    body = {k: v for k, v in item.items() if k not in _RESERVED}
    extra = {k: v for k, v in item.items() if k in _RESERVED}
    if not body:
        return None, {}, extra
    if len(body) != 1:
        raise SpecError(f"a layer must name one type, got {list(body)}", Location())
    ((type_name, kwargs),) = body.items()
    return str(type_name), dict(kwargs or {}), extra


def _nodes(spec: Mapping[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str, Mapping[str, Any], tuple[str, ...], str | None]]]:
    """(model inputs as (name, shape literal), layers as (name, type, kwargs, inputs, shares))."""
    if "inputs" in spec and isinstance(spec["inputs"], Mapping):
        inputs = [(str(k), _literal(list(v))) for k, v in spec["inputs"].items()]
    else:
        inputs = [("input", _literal(list(spec.get("input_shape") or [])))]
    previous = inputs[0][0]
    types: dict[str, tuple[str, Mapping[str, Any]]] = {}
    nodes = []
    for index, item in enumerate(spec.get("layers") or []):
        if not isinstance(item, Mapping):
            raise SpecError(f"layer {index + 1}: expected a mapping", Location(layer=index + 1))
        type_name, kwargs, extra = _split(item)
        name = str(extra.get("name") or f"layer_{index + 1}")
        shares = extra.get("shares")
        if type_name is None:
            if shares not in types:
                raise SpecError(f"layer {index + 1}: shares an unknown layer {shares!r}", Location(layer=index + 1))
            type_name, kwargs = types[str(shares)]
        types[name] = (type_name, kwargs)
        refs = extra.get("inputs")
        sourceless = type_name == "Parameter"
        inputs_of = tuple(map(str, refs)) if refs is not None else (() if sourceless else (previous,))
        nodes.append((name, type_name, kwargs, inputs_of, str(shares) if shares else None))
        previous = name
    return inputs, nodes


def _outputs(spec: Mapping[str, Any], nodes: Sequence[tuple[str, ...] | Any]) -> list[str]:
    outputs = spec.get("outputs")
    if isinstance(outputs, str):
        return [outputs]
    return list(outputs) if outputs else [nodes[-1][0]]


def write_graph_code(spec: Mapping[str, Any]) -> str:
    framework = spec.get("framework")
    inputs, nodes = _nodes(spec)
    if not nodes:
        raise SpecError("layers must be a non-empty list", Location(field="layers"))
    if framework == "keras":
        named = {str(item["name"]) for item in spec.get("layers") or [] if isinstance(item, Mapping) and item.get("name")}
        return _keras(inputs, nodes, _outputs(spec, nodes), named)
    if framework == "pytorch":
        return _pytorch(inputs, nodes, _outputs(spec, nodes))
    raise SpecError(f"framework must be 'keras' or 'pytorch', got {framework!r}", Location(field="framework"))


def _keras_name(name: str) -> str:
    """`name=` for a layer the spec names, so the code's model.summary() prints the key's names (Keras would
    say conv2d, input_layer); left out for dotted names, which Keras on the torch backend refuses."""
    return "" if "." in name else f'name="{name}"'


def _keras(inputs: list[tuple[str, str]], nodes: list[Any], outputs: list[str], named: set[str]) -> str:
    names = _Names()
    lines = ["import keras", "from keras import layers", ""]
    shared = {shares for *_, shares in nodes if shares}
    model_inputs = []
    for name, shape in inputs:
        var = names("inputs" if name == "input" else name)
        names.map[name] = var
        model_inputs.append(var)
        label = _keras_name(name)
        lines.append(f"{var} = keras.Input(shape={shape}{', ' + label if label else ''})")
    layer_objects: dict[str, str] = {}
    for name, type_name, kwargs, refs, shares in nodes:
        var = names(name)
        args = ", ".join(names(ref) for ref in refs)
        call_args = f"[{args}]" if _keras_takes_list(type_name) else args
        if shares:
            lines.append(f"{var} = {layer_objects[shares]}({call_args})")
            continue
        # The layer's name is the spec item's (the key's and summary's); a name= argument beside it printed name= twice.
        own = {k: v for k, v in kwargs.items() if k != "name"}
        arguments = [text for text in (_args(own, "layers."), _keras_name(name) if name in named else "") if text]
        constructor = f"layers.{type_name}({', '.join(arguments)})"
        if name in shared:
            layer_var = names(f"{name}_layer")
            layer_objects[name] = layer_var
            lines.append(f"{layer_var} = {constructor}")
            lines.append(f"{var} = {layer_var}({call_args})")
        else:
            lines.append(f"{var} = {constructor}({call_args})")
    ins = model_inputs[0] if len(model_inputs) == 1 else f"[{', '.join(model_inputs)}]"
    outs = names(outputs[0]) if len(outputs) == 1 else f"[{', '.join(names(o) for o in outputs)}]"
    lines.append(f"model = keras.Model(inputs={ins}, outputs={outs})")
    return "\n".join(lines) + "\n"


def _keras_takes_list(type_name: str) -> bool:
    return type_name in {"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"}


def _torch_module(type_name: str, kwargs: Mapping[str, Any]) -> str:
    if type_name in _LAZY:
        inferred, lazy = _LAZY[type_name]
        if inferred not in kwargs:
            return f"nn.{lazy}({_args(kwargs)})"
    return f"nn.{type_name}({_args(kwargs)})"


def _torch_function(type_name: str, kwargs: Mapping[str, Any], args: list[str], parameters: set[str], refs: Sequence[str]) -> str:
    if type_name in ("torch.add", "torch.sub", "torch.mul"):
        op = {"torch.add": "+", "torch.sub": "-", "torch.mul": "*"}[type_name]
        alpha = kwargs.get("alpha", 1)
        return f"{args[0]} {op} {args[1]}" if alpha == 1 else f"{type_name}({args[0]}, {args[1]}, alpha={alpha!r})"
    if type_name in ("torch.cat", "torch.stack"):
        # A parameter tensor (a class token) has batch size 1: expand it to the batch first.
        batch = next((a for a, ref in zip(args, refs, strict=True) if ref not in parameters), args[0])
        items = [f"{a}.expand({batch}.shape[0], *[-1] * ({a}.dim() - 1))" if ref in parameters else a
                 for a, ref in zip(args, refs, strict=True)]
        return f"{type_name}([{', '.join(items)}], dim={kwargs.get('dim', 0)!r})"
    if type_name == "torch.permute":
        return f"{args[0]}.permute{_literal(list(kwargs['dims']))}"
    if type_name == "torch.reshape":
        return f"{args[0]}.reshape{_literal(list(kwargs['shape']))}"
    extra = _args(kwargs)
    return f"{type_name}({args[0]}{', ' + extra if extra else ''})"


def _pytorch(inputs: list[tuple[str, str]], nodes: list[Any], outputs: list[str]) -> str:
    names = _Names()
    members = _Names(["forward"])
    init: list[str] = []
    forward: list[str] = []
    parameters: set[str] = set()
    module_of: dict[str, str] = {}
    params = []
    for name, _ in inputs:
        params.append(names("x" if name == "input" else name))
        names.map[name] = params[-1]
    comment = "; ".join(f"{name}: {shape}" for name, shape in inputs)
    for name, type_name, kwargs, refs, shares in nodes:
        args = [f"self.{module_of[r]}" if r in parameters else names(r) for r in refs]
        var = names(name)
        if type_name == "Parameter":
            member = members(name)
            shape = ", ".join(str(d) for d in kwargs["shape"])
            grad = "" if kwargs.get("requires_grad", True) else ", requires_grad=False"
            init.append(f"self.{member} = nn.Parameter(torch.zeros({shape}){grad})")
            parameters.add(name)
            module_of[name] = member
            continue
        if type_name in _TORCH_FUNCTIONS:
            forward.append(f"{var} = {_torch_function(type_name, kwargs, args, parameters, refs)}")
            continue
        if shares:
            member = module_of[shares]
        else:
            member = members(name)
            module_of[name] = member
            init.append(f"self.{member} = {_torch_module(type_name, kwargs)}")
        call_args = ", ".join(args * 3 if type_name == "MultiheadAttention" and len(args) == 1 else args)
        target = f"{var}, _" if type_name in _TUPLE_OUTPUT else var
        forward.append(f"{target} = self.{member}({call_args})")
    result = ", ".join(names(o) for o in outputs)
    dry_run = ""
    shapes = [shape for _, shape in inputs]
    if any("nn.Lazy" in line for line in init) and all("None" not in shape for shape in shapes):
        # As the chain writer does: Lazy modules have no weights to count until one batch has gone through.
        # Two samples, as the chain writer runs (a BatchNorm after pooling cannot train on one).
        batches = ", ".join(f"torch.zeros(2, {shape.strip('()').rstrip(',')})" for shape in shapes)
        dry_run = f"model({batches})  # one batch sets the sizes the Lazy layers infer\n"
    body = "\n".join(f"{_INDENT * 2}{line}" for line in init)
    steps = "\n".join(f"{_INDENT * 2}{line}" for line in forward)
    return (
        f"import torch\nfrom torch import nn\n\n# input shape (batch excluded): {comment}\n\n\n"
        f"class Net(nn.Module):\n{_INDENT}def __init__(self):\n{_INDENT * 2}super().__init__()\n{body}\n\n"
        f"{_INDENT}def forward(self, {', '.join(params)}):\n{steps}\n{_INDENT * 2}return {result}\n\n\nmodel = Net()\n{dry_run}"
    )
