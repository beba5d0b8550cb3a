"""The graph the interpreter traces: named nodes, solved as they are added, and layer objects.

Each node is solved the moment it is traced (quizgen.solver.solve_layer), so the code can ask
for shapes (``x.size(1)``, ``x.shape``) and a wrong argument is refused at its own line. The
nodes become the flat graph form of a network spec (every node named, ``inputs`` by name,
``shares`` for a Keras layer called again, ``within`` for the enclosing modules).
"""

from __future__ import annotations

__all__ = ["GraphBuilder", "Node"]

import ast
import re
from dataclasses import dataclass
from typing import Any

from quizgen.codeio import signatures as sg
from quizgen.codeio.values import Layer, Opaque, Ref, Tensor
from quizgen.errors import CodeReadError
from quizgen.layers import get_kind
from quizgen.layers.base import LayerKind
from quizgen.spec import Framework, LayerSpec
from quizgen.specgraph import snake, torch_name

MAX_NODES = 5_000
# PyTorch modules without weights: calling one twice is two plain nodes.
WEIGHTLESS = re.compile(
    r"(Max|Avg|LP|AdaptiveMax|AdaptiveAvg)Pool[123]d|(Alpha|FeatureAlpha)?Dropout[123]?d?|Flatten|Unflatten|Identity"
    r"|(Zero|Constant|Reflection|Replication|Circular)Pad[123]d|Upsample|UpsamplingNearest2d|UpsamplingBilinear2d|PixelShuffle"
    r"|PixelUnshuffle|ChannelShuffle|ReLU6?|LeakyReLU|RReLU|ELU|SELU|CELU|GELU|GLU|SiLU|Mish|Sigmoid|Tanh|Hardtanh|Hardswish"
    r"|Hardsigmoid|Softplus|Softsign|Tanhshrink|Softshrink|Hardshrink|Threshold|LogSigmoid|Softmax2?d?|LogSoftmax|Softmin"
    r"|LocalResponseNorm|torch\..*")


@dataclass(frozen=True, slots=True)
class Node:
    type: str
    kwargs: dict[str, Any]
    line: int
    name: str
    inputs: tuple[str, ...]
    within: tuple[tuple[str, str], ...]
    shares: str | None
    params: int


class GraphBuilder:
    """Mixin for the interpreter: node naming, layer construction and incremental solving."""

    framework: str
    filename: str

    notes: list[str]

    def init_graph(self) -> None:
        self.nodes: list[Node] = []
        self.shapes: dict[str, tuple[int | None, ...]] = {}
        self.taken: set[str] = set()
        self.within: list[tuple[str, str]] = []
        self.param_paths: dict[int, str] = {}
        self.param_tensors: dict[int, Tensor] = {}
        self.keras_counters: dict[str, int] = {}

    # hooks the interpreter provides
    def error(self, message: str, node: ast.AST | None = None) -> CodeReadError:
        raise NotImplementedError

    def segment(self, node: ast.AST) -> str:
        raise NotImplementedError

    def describe(self, value: Any) -> str:
        raise NotImplementedError

    def call(self, callee: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
        raise NotImplementedError

    def _iterable(self, value: Any, node: ast.AST) -> list[Any]:
        raise NotImplementedError

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # -- names -------------------------------------------------------------------------------
    def fresh(self, base: str) -> str:
        name, count = base, 0
        while name in self.taken:
            count += 1
            name = f"{base}_{count}"
        self.taken.add(name)
        return name

    def torch_auto_name(self, type_name: str) -> str:
        return torch_name(type_name)

    def keras_auto_name(self, type_name: str) -> str:
        """Keras' own naming: conv2d, conv2d_1, ... counted per class across the model."""
        base = snake(type_name)
        while True:
            count = self.keras_counters.get(base, 0)
            self.keras_counters[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
            if name not in self.taken:
                return name

    def add_input(self, name: str, shape: tuple[int | None, ...]) -> Tensor:
        self.taken.add(name)
        self.shapes[name] = shape
        return Tensor(name, shape)

    # -- layers ------------------------------------------------------------------------------
    def kind_of(self, framework: str, name: str) -> LayerKind | None:
        return get_kind(Framework(framework), name)

    def make_layer(self, framework: str, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Layer:
        kind = self.kind_of(framework, name)
        assert kind is not None
        table = sg.PYTORCH if framework == "pytorch" else sg.KERAS
        positional = table[name].positional if name in table else kind.positional
        if len(args) > len(positional):
            raise self.error(f"{name} takes at most {len(positional)} positional arguments ({', '.join(positional) or 'none'})", node)
        values: dict[str, Any] = {}
        legacy = sg.KERAS_LEGACY.get(name, {}) if framework == "keras" else {}
        for parameter, value in [*zip(positional, args, strict=False), *kwargs.items()]:
            parameter = legacy.get(parameter, parameter)
            if not parameter:
                continue
            if parameter in values:
                raise self.error(f"{name} got {parameter} twice", node)
            if framework == "keras" and parameter in sg.KERAS_WRAPPER_PARAMS and isinstance(value, Layer):
                values[parameter] = {value.type: value.kwargs}
                continue
            values[parameter] = self.plain(value, parameter, node)
        for parameter in values:
            if parameter not in kind.args and not (framework == "keras" and parameter in sg.KERAS_SHAPE_KEYWORDS):
                import difflib

                close = difflib.get_close_matches(parameter, list(kind.args), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise self.error(f"{name} has no argument {parameter!r}{hint}", node)
        given = values.pop("name", None) if framework == "keras" else None  # the layer's name, not an argument of the spec's
        layer = Layer(framework, name, values, node.lineno, node.col_offset)
        if framework == "keras":
            layer.name = given if isinstance(given, str) else self.keras_auto_name(name)
        return layer

    def plain(self, value: Any, parameter: str, node: ast.AST) -> Any:
        """An argument as it goes into the spec: plain data, or source text for what changes no count."""
        if isinstance(value, (bool, int, float, str)) or value is None:
            return value
        if isinstance(value, (list, tuple)):
            return [self.plain(v, parameter, node) for v in value]
        if isinstance(value, (Ref, Opaque)) and sg.is_count_neutral(parameter):
            return value.qualname if isinstance(value, Ref) else value.text
        raise self.error(f"the argument {parameter}= is {self.describe(value)}, which is not a value known here", node)

    def layer_has_weights(self, layer: Layer) -> bool:
        if layer.first_node is not None:
            return next(n.params for n in self.nodes if n.name == layer.first_node) > 0
        return not WEIGHTLESS.fullmatch(layer.type)

    # -- nodes -------------------------------------------------------------------------------
    def emit(self, type_name: str, kwargs: dict[str, Any], line: int, name: str, inputs: list[str],
             shares: str | None = None) -> Tensor:
        from quizgen.solver import solve_layer

        if len(self.nodes) >= MAX_NODES:
            where = ast.Constant(0, lineno=line, col_offset=0)
            raise self.error(f"the model has more than {MAX_NODES} layers; this is not supported", where)
        spec = LayerSpec(type_name, kwargs, line, name=name, inputs=tuple(inputs))
        shapes = tuple(self.shapes[ref] for ref in inputs)
        _, _, result = solve_layer(Framework(self.framework), spec, shapes[0] if shapes else (), len(self.nodes), self.filename,
                                   shapes=shapes, names=tuple(inputs))
        params = int(result.trainable.value + result.non_trainable.value)
        self.nodes.append(Node(type_name, kwargs, line, name, tuple(inputs), tuple(self.within), shares, params))
        self.shapes[name] = tuple(result.output_shape)
        return Tensor(name, tuple(result.output_shape))

    def emit_op(self, kind: str, kwargs: dict[str, Any], tensors: list[Tensor], node: ast.AST, opname: str) -> Tensor:
        prefix = self.within[-1][0] if self.within else ""
        name = self.fresh(f"{prefix}.{opname}" if prefix else opname)
        values = {k: self.plain(v, k, node) for k, v in kwargs.items()}
        return self.emit(kind, values, getattr(node, "lineno", 1), name, [t.name for t in tensors])

    def spec_mapping(self, inputs: list[Tensor], outputs: list[Tensor]) -> tuple[dict[str, Any], list[int]]:
        layers: list[dict[str, Any]] = []
        for node in self.nodes:
            item: dict[str, Any] = {"shares": node.shares} if node.shares else {node.type: node.kwargs}
            item["name"] = node.name
            item["inputs"] = list(node.inputs)
            if node.within:
                item["within"] = [list(pair) for pair in node.within]
            layers.append(item)
        mapping = {"framework": self.framework, "inputs": {t.name: list(t.shape) for t in inputs}, "layers": layers,
                   "outputs": [t.name for t in outputs]}
        return mapping, [node.line for node in self.nodes]
