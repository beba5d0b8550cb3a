"""Write a network spec as idiomatic Keras or PyTorch code that reads back to the same spec.

Keras specs become ``keras.Sequential([keras.Input(shape=...), layers.X(...), ...])``.
PyTorch specs become ``nn.Sequential(...)`` when every layer maps a tensor to a tensor, and an
``nn.Module`` with ``__init__`` and ``forward`` when a layer returns a tuple (RNN/LSTM/GRU,
MultiheadAttention), since ``nn.Sequential`` cannot unpack it. The input shape of a PyTorch
model, which its code cannot state, goes into a ``# input shape: [3, 32, 32]`` comment.

A PyTorch spec may leave ``in_features``, ``in_channels`` or ``num_features`` to be inferred;
``nn.Linear(out_features=120)`` would not run, and writing the number would give away what
the student is asked to work out. Such layers are written as their ``Lazy`` twins
(``nn.LazyLinear(120)``), which infer it from the first batch exactly as the spec does, and
the code then runs one batch of zeros so the model's counts can be read.
"""

from __future__ import annotations

__all__ = ["write_model_code"]

import ast
import math
from collections.abc import Mapping, Sequence

from quizgen import specgraph as sg_names
from quizgen.codeio import signatures as sg
from quizgen.codeio.signatures import Signature
from quizgen.errors import Location, SpecError

_INDENT = "    "
# The Lazy twin of each PyTorch module that has one (nn.Linear -> nn.LazyLinear).
_LAZY = {base: lazy for lazy, base in sg.PYTORCH_LAZY.items()}
# Names the written code imports; a kept-as-text argument may use them unquoted.
_ROOTS = {"keras": {"keras": "keras", "layers": "keras.layers"}, "pytorch": {"torch": "torch", "nn": "torch.nn"}}


def write_model_code(spec: Mapping[str, object]) -> str:
    """Idiomatic source code for ``spec`` (``{"framework", "input_shape", "layers"}``)."""
    from .graph_writer import is_graph_mapping, write_graph_code

    if is_graph_mapping(spec):
        return write_graph_code(spec)
    framework = spec.get("framework")
    if framework not in ("keras", "pytorch"):
        raise SpecError(f"framework must be 'keras' or 'pytorch', got {framework!r}", Location(field="framework"))
    layers = spec.get("layers")
    if not isinstance(layers, Sequence) or isinstance(layers, str):
        raise SpecError("layers must be a list of {LayerName: {arguments}}", Location(field="layers"))
    shape = spec.get("input_shape")
    if shape is not None and (not isinstance(shape, Sequence) or isinstance(shape, str) or not all(_is_dim(d) for d in shape)):
        raise SpecError(f"input_shape must be a list of sizes (int or null), got {shape!r}", Location(field="input_shape"))
    dims = None if shape is None else [d for d in shape if _is_dim(d)]
    writer = _Writer(str(framework))
    calls = [writer.call(layer, index + 1) for index, layer in enumerate(layers)]
    if framework == "keras":
        return writer.keras(calls, dims)
    return writer.pytorch(calls, dims)


def _is_dim(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


class _Writer:
    def __init__(self, framework: str) -> None:
        self.framework = framework
        self.table = sg.KERAS if framework == "keras" else sg.PYTORCH
        self.prefix = "layers." if framework == "keras" else "nn."

    def call(self, layer: object, index: int, field: str = "") -> tuple[str, str]:
        """(layer name, constructor call) for a ``{Name: {kwargs}}`` mapping."""
        if not isinstance(layer, Mapping) or len(layer) != 1:
            raise SpecError(f"a layer must be a mapping with one key, its type, got {layer!r}", _in_layer(index, field))
        ((name, kwargs),) = layer.items()
        kwargs = {} if kwargs is None else kwargs
        if not isinstance(name, str) or name not in self.table or name == "InputLayer" or name in sg.PYTORCH_LAZY:
            known = ", ".join(sorted(n for n in self.table if n != "InputLayer" and n not in sg.PYTORCH_LAZY))
            raise SpecError(f"unknown {self.framework} layer {name!r}; known: {known}", _in_layer(index, field))
        if not isinstance(kwargs, Mapping):
            raise SpecError(f"the arguments of {name} must be a mapping, got {kwargs!r}", _in_layer(index, field))
        sig = self.table[name]
        parameters = _parameters(sig)
        for key in kwargs:
            if key not in parameters:
                raise SpecError(f"{name} has no argument {key!r}; it accepts: {', '.join(parameters)}", _in_layer(index, field))
        constructor = name
        if self.framework == "pytorch" and name in _LAZY and sig.positional[0] not in kwargs:
            constructor = _LAZY[name]
            sig = self.table[constructor]
        ordered = [p for p in _parameters(sig) if p in kwargs]
        parts: list[str] = []
        positional = True  # idiomatic code passes the leading arguments by position
        for position, parameter in enumerate(ordered):
            value = kwargs[parameter]
            if self.framework == "keras" and parameter in sg.KERAS_WRAPPER_PARAMS:
                text = self.call(value, index, parameter)[1]
            else:
                text = self.literal(value, parameter, index)
            positional = positional and position < sig.lead and sig.positional[position] == parameter
            parts.append(text if positional else f"{parameter}={text}")
        return name, f"{self.prefix}{constructor}({', '.join(parts)})"

    def literal(self, value: object, parameter: str, layer: int | None = None) -> str:
        """``value`` as code; an error names ``layer`` and ``parameter`` (the input shape has neither)."""
        if value is None or isinstance(value, (bool, int)):
            return repr(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise SpecError(f"{parameter} must be a finite number, got {value!r}", _where(layer, parameter))
            return repr(value)
        if isinstance(value, str):
            return value if sg.is_count_neutral(parameter) and self.expression_ok(value) else _quote(value)
        if isinstance(value, Sequence):
            items = [self.literal(item, parameter, layer) for item in value]
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        raise SpecError(f"{parameter}: cannot write {value!r} as code", _where(layer, parameter))

    def expression_ok(self, text: str) -> bool:
        """True if a kept-as-text argument (``keras.initializers.HeNormal()``) can be written unquoted.

        Only dotted names under the imported roots and calls the reader keeps as text qualify,
        so the written code runs and reads back to the same text.
        """
        try:
            tree = ast.parse(text, mode="eval")
        except SyntaxError:
            return False
        roots = _ROOTS[self.framework]
        allowed = (ast.Expression, ast.Call, ast.Attribute, ast.Name, ast.Load, ast.Constant, ast.keyword)
        dotted = False
        for node in ast.walk(tree):
            if not isinstance(node, allowed) or (isinstance(node, ast.Name) and node.id not in roots):
                return False
            if isinstance(node, (ast.Attribute, ast.Name)) and (node.attr if isinstance(node, ast.Attribute) else node.id).startswith("_"):
                return False
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                root, _, rest = name.partition(".")
                if not f"{roots.get(root, root)}.{rest}".startswith(sg.OPAQUE_CALL_PREFIXES):
                    return False
            dotted = dotted or isinstance(node, ast.Attribute)
        return dotted and ast.unparse(tree) == text

    def keras(self, calls: list[tuple[str, str]], shape: list[int | None] | None) -> str:
        items = [] if shape is None else [f"keras.Input(shape={self.literal(shape, 'shape')})"]
        items += [call for _, call in calls]
        body = "".join(f"{_INDENT * 2}{item},\n" for item in items)
        return f"import keras\nfrom keras import layers\n\nmodel = keras.Sequential(\n{_INDENT}[\n{body}{_INDENT}]\n)\n"

    def pytorch(self, calls: list[tuple[str, str]], shape: list[int | None] | None) -> str:
        header = "import torch\nfrom torch import nn\n\n"
        comment = "" if shape is None else f"# input shape: [{', '.join(repr(d) for d in shape)}]\n"
        dry_run = ""
        if any(call.startswith("nn.Lazy") for _, call in calls) and shape is not None and None not in shape:
            # Two samples, not one: a BatchNorm after pooling sees one value per channel from one sample and
            # refuses to run in training mode.
            sizes = ", ".join(str(d) for d in (2, *shape))
            dry_run = f"model(torch.zeros({sizes}))  # one batch sets the sizes the Lazy layers infer\n"
        if not any(name in sg.TUPLE_OUTPUT for name, _ in calls):
            body = "".join(f"{_INDENT}{call},\n" for _, call in calls)
            return f"{header}{comment}model = nn.Sequential(\n{body})\n{dry_run}"
        counts: dict[str, int] = {}
        init: list[str] = []
        forward: list[str] = []
        for name, call in calls:
            # Each member is named as the spec's layer is (summaries, prompts: "layer 1 (lstm, LSTM)"), not lstm1.
            base = sg_names.torch_name(name)
            count = counts[base] = counts.get(base, 0) + 1
            member = f"self.{base}" if count == 1 else f"self.{base}_{count - 1}"
            init.append(f"{_INDENT * 2}{member} = {call}\n")
            if name == "MultiheadAttention":
                forward.append(f"{_INDENT * 2}x, _ = {member}(x, x, x)\n")
            elif name in sg.TUPLE_OUTPUT:
                forward.append(f"{_INDENT * 2}x, _ = {member}(x)\n")
            else:
                forward.append(f"{_INDENT * 2}x = {member}(x)\n")
        return (
            f"{header}\n{comment}class Net(nn.Module):\n"
            f"{_INDENT}def __init__(self):\n{_INDENT * 2}super().__init__()\n{''.join(init)}\n"
            f"{_INDENT}def forward(self, x):\n{''.join(forward)}{_INDENT * 2}return x\n\n\nmodel = Net()\n{dry_run}"
        )


_PARAMETERS: dict[Signature, tuple[str, ...]] = {}  # at most one entry per signature in the tables


def _parameters(sig: Signature) -> tuple[str, ...]:
    """``sig.parameters``, a property that builds its tuple each time, built once per signature."""
    found = _PARAMETERS.get(sig)
    if found is None:
        found = _PARAMETERS[sig] = sig.parameters
    return found


# Locations are made only for an error: a class set writes ~15,000 literals, and a Location each took a tenth
# of the writing.
def _in_layer(index: int, field: str) -> Location:
    return Location(layer=index, field=field or None)


def _where(layer: int | None, parameter: str) -> Location:
    return Location() if layer is None else Location(layer=layer, field=parameter)


def _quote(text: str) -> str:
    quoted = repr(text)
    if quoted.startswith("'") and '"' not in text and "\\" not in quoted:
        return f'"{text}"'
    return quoted
