"""Solve a network spec layer by layer: shapes, parameter counts and MACs with their formulas."""

from __future__ import annotations

__all__ = ["LayerSolution", "ModelSolution", "solve", "solve_layer"]

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .errors import Location, SpecError
from .formula import Add, Bound, Value, bind
from .layers import get_kind, unknown_layer_message
from .layers.base import ZERO, ArgError, LayerKind, LayerOutcome, Shape
from .spec import Framework, LayerSpec, NetworkSpec


@dataclass(frozen=True, slots=True)
class LayerSolution:
    index: int  # 0-based position in spec.layers
    name: str  # keras-style auto name: conv2d, conv2d_1, ...
    type: str
    kind: LayerKind
    args: Mapping[str, Any]  # validated arguments with defaults and inferred values
    input_shape: Shape
    outcome: LayerOutcome
    trainable: Bound
    non_trainable: Bound

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
    layers: tuple[LayerSolution, ...]

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
        return self.layers[-1].output_shape


def _snake(name: str) -> str:
    """Keras' auto-naming: Conv2D -> conv2d, BatchNormalization -> batch_normalization."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()
    return re.sub(r"(\d)_d(?=_|$)", r"\1d", text)


def solve_layer(framework: Framework, layer: LayerSpec, shape: Shape, index: int,
                source: str | None = None) -> tuple[LayerKind, dict[str, Any], LayerOutcome]:
    """Validate one layer's arguments and solve it; errors name the layer and the field."""
    label = f"layer {index + 1} {layer.type}"
    where = Location(file=source, line=layer.line, layer=index + 1)
    kind = get_kind(framework, layer.type)
    if kind is None:
        raise SpecError(f"layer {index + 1}: {unknown_layer_message(framework, layer.type)}", where)
    try:
        args = kind.validate(layer.kwargs)
        if len(shape) < kind.min_rank or (kind.max_rank is not None and len(shape) > kind.max_rank):
            wanted = str(kind.min_rank) if kind.max_rank == kind.min_rank else (
                f"at least {kind.min_rank}" if kind.max_rank is None else f"{kind.min_rank} to {kind.max_rank}")
            raise ArgError(f"expects an input of rank {wanted} (batch excluded), got shape {list(shape)}")
        result = kind.solve(args, shape)
    except ArgError as error:
        raise SpecError(f"{label}: {error}", where) from None
    for size in result.output_shape:
        if size is not None and size < 1:
            raise SpecError(f"{label}: output shape {list(result.output_shape)} has a dimension below 1 "
                            f"(input {list(shape)})", where)
    return kind, {**args, **result.resolved}, result


def solve(spec: NetworkSpec) -> ModelSolution:
    shape: Shape = spec.input_shape
    solved: list[LayerSolution] = []
    seen: dict[str, int] = {}
    for index, layer in enumerate(spec.layers):
        kind, args, result = solve_layer(spec.framework, layer, shape, index, spec.source)
        trainable, non_trainable = result.trainable, result.non_trainable
        if args.get("trainable") is False:  # Keras: a frozen layer's weights all count as non-trainable
            frozen = Add((trainable.expr, non_trainable.expr))
            trainable, non_trainable = bind(ZERO, {}), bind(frozen, {**trainable.env, **non_trainable.env})
        name = args.get("name") if isinstance(args.get("name"), str) else None
        if name is None:
            base = _snake(layer.type)
            count = seen.get(base, 0)
            seen[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
        solved.append(LayerSolution(index, name, layer.type, kind, args, shape, result, trainable, non_trainable))
        shape = result.output_shape
    return ModelSolution(spec, tuple(solved))
