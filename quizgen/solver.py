"""Solve a network spec layer by layer: shapes, parameter counts and MACs with their formulas."""

from __future__ import annotations

__all__ = ["LayerSolution", "ModelSolution", "solve", "solve_layer"]

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Location, SpecError
from .formula import Add, Bound, Value, bind
from .layers import get_kind, unknown_layer_message
from .layers.base import ZERO, ArgError, LayerKind, LayerOutcome, Shape
from .spec import Framework, LayerSpec, NetworkSpec
from .specgraph import auto_name


@dataclass(frozen=True, slots=True)
class LayerSolution:
    index: int  # 0-based position in spec.layers
    name: str  # the node's name: given, or keras-style auto name (conv2d, conv2d_1, ...)
    type: str
    kind: LayerKind
    args: Mapping[str, Any]  # validated arguments with defaults and inferred values
    input_shape: Shape  # the first input's shape
    outcome: LayerOutcome
    trainable: Bound
    non_trainable: Bound
    inputs: tuple[str, ...] = ()  # names of the producing layers or model inputs, in call order
    input_shapes: tuple[Shape, ...] = ()
    shares: str | None = None  # the layer whose weights this call reuses (its own count is 0)
    within: tuple[tuple[str, str], ...] = ()

    @property
    def output_shape(self) -> Shape:
        return self.outcome.output_shape

    @property
    def params(self) -> int:
        return int(self.trainable.value + self.non_trainable.value)

    @property
    def macs(self) -> int | None:
        macs = self.outcome.macs
        return None if macs is None else int(macs.value)

    @property
    def env(self) -> Mapping[str, Value]:
        return self.outcome.env


@dataclass(frozen=True, slots=True)
class ModelSolution:
    spec: NetworkSpec
    layers: tuple[LayerSolution, ...]  # in spec order (a topological order of the graph)
    outputs: tuple[str, ...] = ()  # the model's output layers
    order: tuple[int, ...] = ()  # a topological order of the layers (indices); () is spec order

    @property
    def trainable_params(self) -> int:
        return sum(int(layer.trainable.value) for layer in self.layers)

    @property
    def non_trainable_params(self) -> int:
        return sum(int(layer.non_trainable.value) for layer in self.layers)

    @property
    def total_params(self) -> int:
        return self.trainable_params + self.non_trainable_params

    @property
    def total_macs(self) -> int | None:
        """None when some layer's MACs depend on a null (unknown) dimension."""
        counts = [layer.macs for layer in self.layers]
        return None if any(c is None for c in counts) else sum(c for c in counts if c is not None)

    @property
    def output_shape(self) -> Shape:
        return self.layer_named(self.outputs[0]).output_shape if self.outputs else self.layers[-1].output_shape

    @property
    def topological_order(self) -> tuple[int, ...]:
        return self.order or tuple(range(len(self.layers)))

    def layer_named(self, name: str) -> LayerSolution:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    @property
    def is_graph(self) -> bool:
        return self.spec.is_graph


def solve_layer(framework: Framework, layer: LayerSpec, shape: Shape, index: int, source: str | None = None, *,
                shapes: tuple[Shape, ...] | None = None, names: tuple[str, ...] = (),
                kind: LayerKind | None = None) -> tuple[LayerKind, dict[str, Any], LayerOutcome]:
    """Validate one layer's arguments and solve it; errors name the layer and the field.

    ``shapes`` gives every input's shape for a layer with several inputs (``shape`` is the first);
    ``kind`` is the layer's kind when the caller has looked it up already.
    """
    if kind is None:
        kind = get_kind(framework, layer.type)
        if kind is None:
            raise SpecError(f"layer {index + 1}: {unknown_layer_message(framework, layer.type)}",
                            Location(file=source, line=layer.line, layer=index + 1))
    shapes = shapes if shapes is not None else (shape,)
    try:
        args = kind.validate(layer.kwargs)
        if not kind.min_inputs <= len(shapes) <= (kind.max_inputs or len(shapes)):
            wanted = str(kind.min_inputs) if kind.min_inputs == kind.max_inputs else (
                f"at least {kind.min_inputs}" if kind.max_inputs is None else f"{kind.min_inputs} to {kind.max_inputs}")
            raise ArgError(f"takes {wanted} input{'s' if wanted != '1' else ''}, got {len(shapes)}")
        for each in shapes:
            if len(each) < kind.min_rank or (kind.max_rank is not None and len(each) > kind.max_rank):
                wanted = str(kind.min_rank) if kind.max_rank == kind.min_rank else (
                    f"at least {kind.min_rank}" if kind.max_rank is None else f"{kind.min_rank} to {kind.max_rank}")
                raise ArgError(f"expects an input of rank {wanted} (batch excluded), got shape {list(each)}")
        result = kind.solve(args, shapes if kind.max_inputs != 1 else shapes[0])
    except ArgError as error:
        label, where = _layer_label(layer, index), Location(file=source, line=layer.line, layer=index + 1)
        if len(shapes) > 1 and len(names) == len(shapes):  # a merge: name every input and its shape
            inputs = " and ".join(f"{name} {list(each)}" for name, each in zip(names, shapes, strict=True))
            raise SpecError(f"{label}: inputs {inputs}: {error}", where) from None
        raise SpecError(f"{label}: {error}", where) from None
    for size in result.output_shape:
        if size is not None and size < 1:
            raise SpecError(f"{_layer_label(layer, index)}: output shape {list(result.output_shape)} has a dimension below 1 "
                            f"(input {list(shape)})", Location(file=source, line=layer.line, layer=index + 1))
    resolved = result.resolved
    return kind, {**args, **resolved} if resolved else args, result


def _layer_label(layer: LayerSpec, index: int) -> str:
    return f"layer {index + 1} {layer.type}" + (f" ({layer.name})" if layer.name else "")


def _node_names(spec: NetworkSpec) -> list[str]:
    """Every layer's name: its own, its Keras ``name=`` argument, or the framework's auto-name (`auto_name`)."""
    taken = {layer.name for layer in spec.layers if layer.name is not None} | {name for name, _ in spec.model_inputs}
    seen: dict[str, int] = {}
    names: list[str] = []
    for layer in spec.layers:
        name = layer.name
        if name is None and isinstance(layer.kwargs.get("name"), str):
            name = layer.kwargs["name"]
        if name is None:
            base = auto_name(spec.framework.value, layer.type)
            while True:
                count = seen.get(base, 0)
                seen[base] = count + 1
                name = base if count == 0 else f"{base}_{count}"
                if name not in taken:
                    break
        names.append(name)
    return names


def _edges(spec: NetworkSpec, names: list[str], kinds: list[LayerKind | None], graph: bool) -> list[tuple[str, ...]]:
    """Each layer's inputs by name; a layer without ``inputs`` takes the previous one's output."""
    previous = spec.model_inputs[0][0]
    edges: list[tuple[str, ...]] = []
    if not graph:  # a chain: no layer names its inputs, and every name it takes is known
        for kind, name in zip(kinds, names, strict=True):
            edges.append(() if kind is not None and kind.max_inputs == 0 else (previous,))
            previous = name
        return edges
    known = {name for name, _ in spec.model_inputs} | set(names)
    for index, (layer, name, kind) in enumerate(zip(spec.layers, names, kinds, strict=True)):
        sourceless = kind is not None and kind.max_inputs == 0  # nn.Parameter: weights, not a function of the previous layer
        inputs = layer.inputs if layer.inputs is not None else () if sourceless else (previous,)
        for ref in inputs:
            if ref not in known:
                import difflib

                close = difflib.get_close_matches(ref, sorted(known), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise SpecError(f"layer {index + 1} {layer.type} ({name}): unknown input {ref!r}{hint}",
                                Location(file=spec.source, line=layer.line, layer=index + 1))
        edges.append(tuple(inputs))
        previous = name
    return edges


def _topological(spec: NetworkSpec, names: list[str], edges: list[tuple[str, ...]]) -> list[int]:
    """Kahn's algorithm, stable in spec order; a cycle is an error naming its layers."""
    position = {name: i for i, name in enumerate(names)}
    waiting = [sum(1 for ref in set(refs) if ref in position) for refs in edges]
    users: dict[str, list[int]] = {}
    for i, refs in enumerate(edges):
        for ref in set(refs):
            users.setdefault(ref, []).append(i)
    import heapq

    ready = [i for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        i = heapq.heappop(ready)
        order.append(i)
        for j in users.get(names[i], ()):
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(ready, j)
    if len(order) < len(names):
        stuck = next(i for i, count in enumerate(waiting) if count)
        cycle, at = [], stuck
        while names[at] not in cycle:
            cycle.append(names[at])
            at = next(position[ref] for ref in edges[at] if ref in position and waiting[position[ref]])
        loop = list(reversed(cycle[cycle.index(names[at]):]))  # walked from users to their inputs
        loop.append(loop[0])
        layer = spec.layers[at]
        raise SpecError(f"layers {' → '.join(loop)} form a cycle (each is an input of the next)",
                        Location(file=spec.source, line=layer.line, layer=at + 1))
    return order


def _check_outputs(spec: NetworkSpec, names: list[str], edges: list[tuple[str, ...]]) -> tuple[str, ...]:
    outputs = spec.outputs or (names[-1],)
    for name in outputs:
        if name not in names:
            raise SpecError(f"outputs: {name!r} is not a layer of this network", Location(file=spec.source))
    used = {ref for refs in edges for ref in refs} | set(outputs)
    for index, name in enumerate(names):
        if name not in used:
            layer = spec.layers[index]
            raise SpecError(f"layer {index + 1} {layer.type} ({name}): its output is not used by any layer; connect it or list "
                            "it under outputs:", Location(file=spec.source, line=layer.line, layer=index + 1))
    for name, _ in spec.model_inputs:
        if name not in used:
            raise SpecError(f"input {name!r} is not used by any layer", Location(file=spec.source))
    return outputs


def solve(spec: NetworkSpec) -> ModelSolution:
    graph = spec.is_graph
    framework = spec.framework
    kinds = [get_kind(framework, layer.type) for layer in spec.layers]
    names = _node_names(spec)
    edges = _edges(spec, names, kinds, graph)
    order = _topological(spec, names, edges) if graph else range(len(spec.layers))
    outputs = _check_outputs(spec, names, edges) if graph else (names[-1],)
    shapes: dict[str, Shape] = dict(spec.model_inputs)
    solved: dict[int, LayerSolution] = {}
    by_name: dict[str, LayerSolution] = {}
    for index in order:
        layer = spec.layers[index]
        in_shapes = tuple([shapes[ref] for ref in edges[index]])
        first: Shape = in_shapes[0] if in_shapes else ()
        kind, args, result = solve_layer(framework, layer, first, index, spec.source, shapes=in_shapes, names=edges[index],
                                         kind=kinds[index])
        trainable, non_trainable = result.trainable, result.non_trainable
        if args.get("trainable") is False:  # Keras: a frozen layer's weights all count as non-trainable
            frozen = Add((trainable.expr, non_trainable.expr))
            trainable, non_trainable = bind(ZERO, {}), bind(frozen, {**trainable.env, **non_trainable.env})
        if layer.shares is not None:
            trainable, non_trainable = _shared(spec, index, layer, by_name, trainable, non_trainable, in_shapes[0])
        solution = LayerSolution(index, names[index], layer.type, kind, args, first, result, trainable, non_trainable,
                                 edges[index], in_shapes, layer.shares, layer.within)
        solved[index] = solution
        by_name[names[index]] = solution
        shapes[names[index]] = result.output_shape
    return ModelSolution(spec, tuple([solved[i] for i in range(len(spec.layers))]), outputs, tuple(order))


def _shared(spec: NetworkSpec, index: int, layer: LayerSpec, by_name: Mapping[str, LayerSolution],
            trainable: Bound, non_trainable: Bound, shape: Shape) -> tuple[Bound, Bound]:
    """A second call of a layer owns no weights; its input must fit the weights it reuses."""
    owner = by_name.get(layer.shares or "")
    where = Location(file=spec.source, line=layer.line, layer=index + 1)
    if owner is None:
        raise SpecError(f"layer {index + 1} {layer.type}: shares {layer.shares!r}, which is not an earlier layer", where)
    if owner.params != int(trainable.value + non_trainable.value):
        raise SpecError(f"layer {index + 1} {layer.type}: shares the weights of {owner.name} ({owner.params} parameters for input "
                        f"{list(owner.input_shape)}), but its input {list(shape)} would need "
                        f"{int(trainable.value + non_trainable.value)}", where)
    return bind(ZERO, {}), bind(ZERO, {})
