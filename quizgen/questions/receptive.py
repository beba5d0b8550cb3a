"""Receptive fields over the solver's layer solutions: size, jump and start of a unit's field.

Conventions (stated in every question and worked solution):

* Positions are input pixels along one spatial axis (H, W, D or L), counted from 0. Padding
  is part of the geometry, the image border is not: the field of a unit near the border is
  the same size, part of it lying in the padding.
* A unit is one output position with all its channels (a concatenation's channels come
  from different branches). ``r`` is the number of input positions between the first and
  the last one that it depends on (dilation leaves holes inside; they count), ``j`` (jump, effective stride) is
  how far the field moves between neighbouring output units, and ``start`` is the first
  input position that output unit 0 sees (negative when it lies in the padding; questions
  ask for the offset ``−start``, how many positions before position 0 it begins).
* The classic recurrence, one layer with kernel ``k``, dilation ``d``, stride ``s`` and
  ``p`` padding before the first position: ``r_out = r_in + (k − 1)·d·j_in``,
  ``j_out = j_in·s``, ``start_out = start_in − p·j_in``; an input pixel has r = 1, j = 1,
  start = 0. Max and average pooling use the same geometry (a max-pool unit *can* depend on
  every position of its window). Activations, normalisation and dropout change nothing.
* In a network with branches, a unit's field is the union of the fields along every path
  from the input: from the smallest start to the largest end. Where the branches are
  centred (the usual 'same' padding) this is the largest field of any path. Paths that reach
  a merge with different jumps do not make one regular grid; such a network is not asked.

Proven against PyTorch and Keras by autograd (tests/test_oracle_families.py): with all
weights set to one, the input positions with a non-zero gradient of one output unit span
exactly ``[start + i·j, start + i·j + r − 1]``.
"""

from __future__ import annotations

__all__ = ["AxisStep", "Field", "PathField", "axis_labels", "layer_geometry", "receptive_field", "receptive_paths"]

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from ..solver import LayerSolution, ModelSolution
from ..spec import Framework

MAX_PATHS = 64  # a bank network with more input-to-unit paths than this is not a receptive-field exercise
_IDENTITY_FAMILIES = frozenset({"activation", "norm", "dropout"})


@dataclass(frozen=True, slots=True)
class AxisStep:
    """One layer along one axis: kernel, dilation, stride and the padding before position 0."""

    layer: str
    type: str
    k: int
    d: int
    s: int
    p: int


@dataclass(frozen=True, slots=True)
class Field:
    size: int  # r
    jump: int  # j
    start: int  # first input position of output unit 0

    @property
    def end(self) -> int:
        return self.start + self.size - 1


@dataclass(frozen=True, slots=True)
class PathField:
    """The layers from the input to the asked unit along one path, and the fields after each."""

    steps: tuple[AxisStep, ...]
    fields: tuple[Field, ...]  # fields[0] is the input pixel; fields[i + 1] follows steps[i]

    @property
    def field(self) -> Field:
        return self.fields[-1]


def axis_labels(model: ModelSolution) -> tuple[str, ...]:
    """The spatial axes of the model input, in its own order (channels excluded)."""
    inputs = model.spec.model_inputs
    if len(inputs) != 1:
        raise ValueError("a receptive field needs a network with one input")
    rank = len(inputs[0][1]) - 1
    if rank < 1:
        raise ValueError("the input has no spatial axis")
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(rank) or tuple(f"X{i}" for i in range(rank))


def _suffix(labels: tuple[str, ...], axis: int) -> str:
    return "" if len(labels) == 1 else "_" + labels[axis].lower()


def _spatial_in(layer: LayerSolution, model: ModelSolution, axis: int) -> int | None:
    shape = layer.input_shape
    keras = model.spec.framework is Framework.KERAS
    spatial = shape[:-1] if keras else shape[1:]
    return spatial[axis] if axis < len(spatial) else None


def _same_padding(n: int | None, k: int, d: int, s: int) -> int:
    """Padding before position 0 under 'same': half the total, the extra one after (TensorFlow, Keras, PyTorch)."""
    if n is None:
        raise ValueError("'same' padding of an unknown size")
    reach = d * (k - 1) + 1
    total = max((ceil(n / s) - 1) * s + reach - n, 0)
    return total // 2


def _padding_before(layer: LayerSolution, model: ModelSolution, axis: int, k: int, d: int, s: int, sfx: str) -> int:
    padding = layer.args.get("padding")
    if padding == "same":
        return _same_padding(_spatial_in(layer, model, axis), k, d, s)
    if padding in ("valid", None):
        return 0
    if padding == "causal":
        return d * (k - 1)
    value = layer.env.get("P" + sfx)
    if not isinstance(value, int):
        raise ValueError(f"{layer.name}: padding {padding!r} along this axis is not a number")
    return value


def layer_geometry(layer: LayerSolution, model: ModelSolution, axis: int) -> AxisStep | None:
    """The layer's geometry along one axis; None for layers that keep every position (activations, merges)."""
    labels = axis_labels(model)
    sfx = _suffix(labels, axis)
    family = layer.kind.family
    if layer.args.get("data_format") == "channels_first" and model.spec.framework is Framework.KERAS:
        raise ValueError(f"{layer.name}: channels_first Keras layers are not asked")
    if family in _IDENTITY_FAMILIES:
        return None
    if family == "merge":
        same = all(shape == layer.output_shape for shape in layer.input_shapes) or layer.type in ("Concatenate", "concatenate")
        if not same:
            raise ValueError(f"{layer.name}: a merge that changes the spatial size")
        return None
    env = layer.env
    if family == "conv" and "Transpose" not in layer.type and "K" + sfx in env:
        k, d, s = int(env["K" + sfx]), int(env.get("D" + sfx, 1)), int(env.get("S" + sfx, 1))
        return AxisStep(layer.name, layer.type, k, d, s, _padding_before(layer, model, axis, k, d, s, sfx))
    if family == "pooling" and "Global" not in layer.type and "Adaptive" not in layer.type and "K" + sfx in env:
        k, d, s = int(env["K" + sfx]), int(env.get("D" + sfx, 1)), int(env.get("S" + sfx, env["K" + sfx]))
        return AxisStep(layer.name, layer.type, k, d, s, _padding_before(layer, model, axis, k, d, s, sfx))
    if family == "padding":
        before = {"L": "P_left", "H": "P_top", "W": "P_left", "D": "P_front"}[labels[axis]]
        if before not in env:
            raise ValueError(f"{layer.name}: padding along {labels[axis]} is not known")
        return AxisStep(layer.name, layer.type, 1, 1, 1, int(env[before]))
    raise ValueError(f"{layer.name} ({layer.type}) has no receptive-field rule")


def _paths(model: ModelSolution, target: LayerSolution) -> list[tuple[LayerSolution, ...]]:
    """Every path of layers from the model input to ``target`` (inclusive), inputs first."""
    inputs = {name for name, _ in model.spec.model_inputs}
    by_name = {layer.name: layer for layer in model.layers}
    found: list[tuple[LayerSolution, ...]] = []

    def walk(layer: LayerSolution, suffix: tuple[LayerSolution, ...]) -> None:
        if len(found) > MAX_PATHS:
            raise ValueError(f"more than {MAX_PATHS} paths reach {target.name}")
        sources = layer.inputs or ((model.layers[layer.index - 1].name,) if layer.index else tuple(inputs))
        for ref in dict.fromkeys(sources):
            if ref in inputs:
                found.append((layer, *suffix))
            else:
                walk(by_name[ref], (layer, *suffix))

    walk(target, ())
    return found


def _fields(steps: Sequence[AxisStep], *, dilation: bool = True) -> tuple[Field, ...]:
    fields = [Field(1, 1, 0)]
    for step in steps:
        last = fields[-1]
        d = step.d if dilation else 1
        fields.append(Field(last.size + (step.k - 1) * d * last.jump, last.jump * step.s, last.start - step.p * last.jump))
    return tuple(fields)


def receptive_paths(model: ModelSolution, target: LayerSolution, axis: int) -> tuple[PathField, ...]:
    """Each input-to-target path with its field after every layer (layers that keep positions left out)."""
    result = []
    for path in _paths(model, target):
        steps = tuple(step for layer in path if (step := layer_geometry(layer, model, axis)) is not None)
        result.append(PathField(steps, _fields(steps)))
    return tuple(dict.fromkeys(result))  # two paths through the same geometry are one


def receptive_field(model: ModelSolution, target: LayerSolution, axis: int) -> Field:
    """The field of one output unit of ``target`` along ``axis``: the union over every path."""
    paths = receptive_paths(model, target, axis)
    jumps = {p.field.jump for p in paths}
    if len(jumps) != 1:
        raise ValueError(f"paths reach {target.name} with different jumps {sorted(jumps)}")
    start = min(p.field.start for p in paths)
    end = max(p.field.end for p in paths)
    return Field(end - start + 1, jumps.pop(), start)
