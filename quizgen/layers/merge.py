"""Layers with several inputs: Keras' merge layers and the tensor operations PyTorch models
write in ``forward`` (``x + y``, ``torch.cat``, ``torch.stack``, ...), plus the free weight
tensors of PyTorch models (``nn.Parameter``: ViT's class token and position embedding).

Shapes exclude the batch dimension, but a PyTorch ``dim`` counts it, as in the code
(``torch.cat([a, b], 1)`` joins channels of NCHW tensors); an operation along the batch
dimension itself is refused. Element-wise merges broadcast like NumPy (Keras does the same
from the last dimension). MAC convention: element-wise merges, concatenation and stacking
cost 0 MACs (like bias additions and activations); ``Dot`` costs one MAC per product
summed: the output size times the length of the contracted axis. A parameter tensor holds
∏shape weights.
"""

from __future__ import annotations

__all__ = ["broadcast"]

from collections.abc import Sequence
from math import prod
from typing import Any

from ..formula import Add, Mul, Sym, Value
from ..spec import Framework
from . import register
from .base import ANY, REQUIRED, ArgError, Args, Bool, LayerKind, LayerOutcome, Shape, Validator, keras_common, outcome
from .simple import Int, IntOrInts

Table = dict[str, tuple[Validator, Any]]


def broadcast(shapes: Sequence[Shape]) -> Shape:
    """NumPy broadcasting of batch-free shapes; None (unknown) broadcasts with anything."""
    rank = max(len(s) for s in shapes)
    out: list[int | None] = []
    for axis in range(rank):
        sizes = [s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0]
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ArgError(f"cannot be combined element-wise: sizes {' and '.join(map(str, sorted(known)))} differ in "
                           f"dimension {axis + 1} of {rank} (batch excluded)")
        if None in sizes and not known:
            out.append(None)
        else:
            out.append(known.pop() if known else 1)
    return tuple(out)


def _elementwise(framework: Framework, name: str, min_inputs: int, max_inputs: int | None, table: Table,
                 positional: tuple[str, ...] = ()) -> LayerKind:
    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        return outcome({}, broadcast(shapes))

    return LayerKind(framework, name, "merge", table, solve, positional=positional, min_inputs=min_inputs, max_inputs=max_inputs)


def _axis(axis: int, rank: int, *, batch_counts: bool, what: str, new_axis: bool = False) -> int:
    """Map an axis argument to an index into the batch-free shape of the given rank."""
    full = rank + 1 + int(new_axis)  # the framework's rank, batch included
    index = axis + full if axis < 0 else axis
    if not 0 <= index < full:
        raise ArgError(f"{what}={axis} is out of range for inputs of rank {rank + 1} (batch included)")
    if index == 0 and batch_counts:
        raise ArgError(f"{what}={axis} is the batch dimension (shapes here exclude it; the dimension after the batch is 1)")
    return index - 1


def _concat(shapes: tuple[Shape, ...], index: int) -> Shape:
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ArgError(f"cannot be joined: ranks {' and '.join(str(len(s)) for s in shapes)} differ")
    out: list[int | None] = []
    for axis in range(len(shapes[0])):
        sizes = [s[axis] for s in shapes]
        if axis == index:
            out.append(None if None in sizes else sum(d for d in sizes if d is not None))
            continue
        known = {d for d in sizes if d is not None}
        if len(known) > 1:
            raise ArgError(f"cannot be joined: sizes {' and '.join(map(str, sorted(known)))} differ in dimension {axis + 1} "
                           "(batch excluded), which is not the joined axis")
        out.append(known.pop() if known else None)
    return tuple(out)


def _keras_concatenate() -> LayerKind:
    table: Table = {**keras_common(), "axis": (Int, -1)}

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        index = _axis(a["axis"], len(shapes[0]), batch_counts=True, what="axis")
        joined = _concat(shapes, index)
        dims: list[Add | None] = [None] * len(joined)
        env: dict[str, Value] = {f"C_{i + 1}": size for i, s in enumerate(shapes) if (size := s[index]) is not None}
        if len(env) == len(shapes) and len(shapes) > 1:
            dims[index] = Add(tuple(Sym(f"C_{i + 1}") for i in range(len(shapes))))  # C_out = C_1 + C_2 + ...
        return outcome(env, joined, dims=dims)

    return LayerKind(Framework.KERAS, "Concatenate", "merge", table, solve, positional=("axis",), min_inputs=1, max_inputs=None)


def _keras_dot() -> LayerKind:
    table: Table = {**keras_common(), "axes": (IntOrInts, REQUIRED), "normalize": (Bool, False)}

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        first, second = shapes
        axes = a["axes"] if len(a["axes"]) == 2 else (a["axes"][0], a["axes"][0])
        i = _axis(axes[0], len(first), batch_counts=True, what="axes")
        j = _axis(axes[1], len(second), batch_counts=True, what="axes")
        if first[i] is not None and second[j] is not None and first[i] != second[j]:
            raise ArgError(f"axes {list(axes)}: sizes {first[i]} and {second[j]} along the dot axes differ")
        out = tuple(d for k, d in enumerate(first) if k != i) + tuple(d for k, d in enumerate(second) if k != j)
        out = out or (1,)
        contracted = first[i] if first[i] is not None else second[j]
        if contracted is None or None in out:
            return outcome({}, out, macs=None)
        env: dict[str, Value] = {"N_out": prod(d for d in out if d is not None), "K": contracted}
        return outcome(env, out, macs=Mul((Sym("N_out"), Sym("K"))))

    return LayerKind(Framework.KERAS, "Dot", "merge", table, solve, positional=("axes", "normalize"), min_inputs=2, max_inputs=2)


def _torch_cat(name: str) -> LayerKind:
    table: Table = {"dim": (Int, 0)}

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        index = _axis(a["dim"], len(shapes[0]), batch_counts=True, what="dim")
        joined = _concat(shapes, index)
        dims: list[Add | None] = [None] * len(joined)
        env: dict[str, Value] = {f"C_{i + 1}": size for i, s in enumerate(shapes) if (size := s[index]) is not None}
        if len(env) == len(shapes) and len(shapes) > 1:
            dims[index] = Add(tuple(Sym(f"C_{i + 1}") for i in range(len(shapes))))  # C_out = C_1 + C_2 + ... as in Keras
        return outcome(env, joined, dims=dims)

    return LayerKind(Framework.PYTORCH, name, "merge", table, solve, positional=("dim",), min_inputs=1, max_inputs=None)


def _torch_stack() -> LayerKind:
    table: Table = {"dim": (Int, 0)}

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        if len({tuple(s) for s in shapes}) > 1:
            raise ArgError("torch.stack needs inputs of one shape")
        index = _axis(a["dim"], len(shapes[0]), batch_counts=True, what="dim", new_axis=True)
        shape = list(shapes[0])
        shape.insert(index, len(shapes))
        return outcome({}, tuple(shape))

    return LayerKind(Framework.PYTORCH, "torch.stack", "merge", table, solve, positional=("dim",), min_inputs=1, max_inputs=None)


def _torch_flatten() -> LayerKind:
    table: Table = {"start_dim": (Int, 0), "end_dim": (Int, -1)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        start = _axis(a["start_dim"], len(shape), batch_counts=True, what="start_dim")
        end = _axis(a["end_dim"], len(shape), batch_counts=True, what="end_dim")
        if end < start:
            raise ArgError(f"end_dim={a['end_dim']} comes before start_dim={a['start_dim']}")
        merged = shape[start:end + 1]
        size = None if None in merged else prod(d for d in merged if d is not None)
        return outcome({}, (*shape[:start], size, *shape[end + 1:]))

    return LayerKind(Framework.PYTORCH, "torch.flatten", "reshape", table, solve, positional=("start_dim", "end_dim"))


def _torch_select() -> LayerKind:
    table: Table = {"dim": (Int, REQUIRED), "index": (Int, REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        axis = _axis(a["dim"], len(shape), batch_counts=True, what="dim")
        size = shape[axis]
        if size is not None and not -size <= a["index"] < size:
            raise ArgError(f"index {a['index']} is out of range for dimension {a['dim']} of size {size}")
        out = shape[:axis] + shape[axis + 1:]
        if not out:
            raise ArgError("selecting from a one-dimensional sample leaves only the batch dimension")
        return outcome({}, out)

    return LayerKind(Framework.PYTORCH, "torch.select", "reshape", table, solve, positional=("dim", "index"), min_rank=1)


def _torch_mean() -> LayerKind:
    table: Table = {"dim": (IntOrInts, REQUIRED), "keepdim": (Bool, False)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        axes = {_axis(d, len(shape), batch_counts=True, what="dim") for d in a["dim"]}
        out = tuple(1 if i in axes else d for i, d in enumerate(shape)) if a["keepdim"] else \
            tuple(d for i, d in enumerate(shape) if i not in axes)
        if not out:
            raise ArgError("the mean over every dimension leaves only the batch dimension")
        return outcome({}, out)

    return LayerKind(Framework.PYTORCH, "torch.mean", "pooling", table, solve, positional=("dim", "keepdim"))


def _torch_permute() -> LayerKind:
    table: Table = {"dims": (IntOrInts, REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        dims = [d + len(shape) + 1 if d < 0 else d for d in a["dims"]]
        if sorted(dims) != list(range(len(shape) + 1)):
            raise ArgError(f"dims {list(a['dims'])} is not a permutation of the {len(shape) + 1} dimensions (batch included)")
        if dims[0] != 0:
            raise ArgError(f"dims {list(a['dims'])} moves the batch dimension (dims must start with 0)")
        return outcome({}, tuple(shape[d - 1] for d in dims[1:]))

    return LayerKind(Framework.PYTORCH, "torch.permute", "reshape", table, solve, positional=("dims",))


def _torch_transpose() -> LayerKind:
    table: Table = {"dim0": (Int, REQUIRED), "dim1": (Int, REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        i = _axis(a["dim0"], len(shape), batch_counts=True, what="dim0")
        j = _axis(a["dim1"], len(shape), batch_counts=True, what="dim1")
        out = list(shape)
        out[i], out[j] = out[j], out[i]
        return outcome({}, tuple(out))

    return LayerKind(Framework.PYTORCH, "torch.transpose", "reshape", table, solve, positional=("dim0", "dim1"))


def _torch_reshape() -> LayerKind:
    table: Table = {"shape": (IntOrInts, REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        target = list(a["shape"][1:])  # the first entry is the batch size (-1 or the batch variable in code)
        if not target:
            raise ArgError("shape must give the batch entry and at least one more dimension")
        if None in shape:
            raise ArgError(f"cannot reshape an input with an unknown dimension {list(shape)}")
        size = prod(d for d in shape if d is not None)
        unknown = [i for i, d in enumerate(target) if d == -1]
        if len(unknown) > 1 or any(d == 0 or d < -1 for d in target):
            raise ArgError(f"shape {list(a['shape'])}: at most one -1 and otherwise positive sizes")
        known = prod(d for d in target if d != -1)
        if unknown:
            if size % known:
                raise ArgError(f"shape {list(a['shape'])} does not divide the input's {size} elements")
            target[unknown[0]] = size // known
        elif known != size:
            raise ArgError(f"shape {list(a['shape'])} holds {known} elements per sample but the input has {size}")
        return outcome({}, tuple(target))

    return LayerKind(Framework.PYTORCH, "torch.reshape", "reshape", table, solve, positional=("shape",))


def _torch_parameter() -> LayerKind:
    """``nn.Parameter(torch.zeros(1, 1, 768))``: weights that are an input of the network graph."""
    table: Table = {"shape": (IntOrInts, REQUIRED), "requires_grad": (Bool, True)}

    def solve(a: Args, shapes: tuple[Shape, ...]) -> LayerOutcome:
        shape = a["shape"]
        if any(d < 1 for d in shape):
            raise ArgError(f"shape {list(shape)} must have positive sizes")
        if len(shape) < 2 or shape[0] != 1:
            raise ArgError(f"shape {list(shape)}: the first size is the batch axis the tensor is broadcast over and must be 1, "
                           "as in nn.Parameter(torch.zeros(1, 1, 768))")
        env = {f"d_{i + 1}": d for i, d in enumerate(shape)}
        weights = Mul(tuple(Sym(f"d_{i + 1}") for i in range(len(shape))))
        if a["requires_grad"]:
            return outcome(env, tuple(shape[1:]), trainable=weights)
        return outcome(env, tuple(shape[1:]), non_trainable=weights)

    return LayerKind(Framework.PYTORCH, "Parameter", "embedding", table, solve, positional=("shape",),
                     min_inputs=0, max_inputs=0)


_KERAS_ELEMENTWISE = {"Add": (1, None), "Multiply": (1, None), "Average": (1, None), "Maximum": (1, None),
                      "Minimum": (1, None), "Subtract": (2, 2)}
for _name, (_low, _high) in _KERAS_ELEMENTWISE.items():
    register(_elementwise(Framework.KERAS, _name, _low, _high, keras_common()))
_TORCH_BINARY = {"torch.add": {"alpha": (ANY, 1)}, "torch.sub": {"alpha": (ANY, 1)}, "torch.mul": {}}
for _name, _extra in _TORCH_BINARY.items():
    register(_elementwise(Framework.PYTORCH, _name, 2, 2, dict(_extra), positional=tuple(_extra)))
register(_keras_concatenate())
register(_keras_dot())
register(_torch_cat("torch.cat"))
register(_torch_stack())
register(_torch_flatten())
register(_torch_select())
register(_torch_mean())
register(_torch_permute())
register(_torch_transpose())
register(_torch_reshape())
register(_torch_parameter())
