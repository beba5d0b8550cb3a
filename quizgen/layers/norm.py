"""Normalization layers: per-feature scale (γ) and shift (β) vectors, and running statistics.

The two frameworks count differently. Keras stores BatchNormalization's moving mean and
variance as (non-trainable) weights, so BatchNormalization on C channels has 4·C parameters,
2·C of them non-trainable (7·C with renorm, which tracks three more vectors). PyTorch keeps
running statistics in buffers, which ``parameters()`` does not list: BatchNorm2d(C) has 2·C.
Symbols: C is the size of the normalized axis (channels); N (or N_1, N_2, ...) the sizes of
LayerNorm's normalized dimensions. Normalizations cost 0 MACs by quizgen's convention.
"""

from __future__ import annotations

__all__ = ["stat_vectors"]

from collections.abc import Sequence
from functools import cache
from typing import Any

from ..formula import Expr, Mul, Num, Sym
from ..spec import Framework
from . import register
from .base import (
    ANY,
    REQUIRED,
    ZERO,
    ArgError,
    Args,
    Bool,
    Float,
    LayerKind,
    LayerOutcome,
    Opt,
    PosInt,
    Shape,
    Validator,
    outcome,
    torch_common,
)
from .conv import infer_channels
from .simple import Int, IntOrInts, batched_axis, keras_base

Table = dict[str, tuple[Validator, Any]]


@cache
def stat_vectors(count: int, names: tuple[str, ...] = ("C",)) -> Expr:
    """``count`` vectors with one number per normalized feature: 2·C for γ and β, C for γ alone."""
    if count == 0:
        return ZERO
    size = tuple(Sym(n) for n in names)
    if count == 1:
        return size[0] if len(size) == 1 else Mul(size)
    return Mul((Num(count), *size))


def _normalized_names(count: int) -> tuple[str, ...]:
    return ("N",) if count == 1 else tuple(f"N_{i + 1}" for i in range(count))


def _axis_size(shape: Shape, axis: int, field: str = "axis") -> int:
    size = shape[batched_axis(axis, len(shape), field) - 1]
    if size is None:
        raise ArgError(f"the normalized axis ({field}={axis}) must have a known size (not null): the weights are sized by it", field)
    return size


# --- Keras ---------------------------------------------------------------------------------------

_GAMMA_BETA: Table = {"beta_initializer": (ANY, "zeros"), "gamma_initializer": (ANY, "ones"), "beta_regularizer": (ANY, None),
                      "gamma_regularizer": (ANY, None), "beta_constraint": (ANY, None), "gamma_constraint": (ANY, None)}
_GAMMA_BETA_ORDER = ("beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint",
                     "gamma_constraint")


def _keras_batch_norm() -> LayerKind:
    args: Table = {**keras_base(), "axis": (Int, -1), "momentum": (Float, 0.99), "epsilon": (Float, 1e-3), "center": (Bool, True),
                   "scale": (Bool, True), **_GAMMA_BETA, "moving_mean_initializer": (ANY, "zeros"),
                   "moving_variance_initializer": (ANY, "ones"), "renorm": (Bool, False), "renorm_clipping": (ANY, None),
                   "renorm_momentum": (Float, 0.99), "synchronized": (Bool, False)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        c = _axis_size(shape, a["axis"])
        affine = int(a["scale"]) + int(a["center"])
        # moving mean and variance; renorm adds moving stddev, renorm mean and renorm stddev.
        stats = 5 if a["renorm"] else 2
        return outcome({"C": c}, shape, trainable=stat_vectors(affine), non_trainable=stat_vectors(stats))

    return LayerKind(Framework.KERAS, "BatchNormalization", "norm", args, solve,
                     positional=("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
                                 "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer",
                                 "gamma_regularizer", "beta_constraint", "gamma_constraint", "renorm", "renorm_clipping",
                                 "renorm_momentum", "synchronized"))


def _keras_axes_sizes(shape: Shape, axes: Sequence[int]) -> list[int]:
    # Keras sorts the axes and sizes the weights by input_shape[axis] for each entry, so a
    # repeated axis (axis=[1, 1]) repeats its size: reproduced rather than rejected.
    indices = sorted(batched_axis(axis, len(shape), "axis") for axis in axes)
    return [_axis_size(shape, index) for index in indices]


def _keras_layer_norm() -> LayerKind:
    args: Table = {**keras_base(), "axis": (IntOrInts, -1), "epsilon": (Float, 1e-3), "center": (Bool, True), "scale": (Bool, True),
                   **_GAMMA_BETA, "rms_scaling": (Bool, False)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes = _keras_axes_sizes(shape, a["axis"])
        names = _normalized_names(len(sizes))
        rms = a["rms_scaling"]  # deprecated: keeps γ (even with scale=False) and drops β
        count = int(a["scale"] or rms) + int(a["center"] and not rms)
        return outcome(dict(zip(names, sizes, strict=True)), shape, trainable=stat_vectors(count, names))

    return LayerKind(Framework.KERAS, "LayerNormalization", "norm", args, solve,
                     positional=("axis", "epsilon", "center", "scale", *_GAMMA_BETA_ORDER))


def _keras_rms_norm() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes = _keras_axes_sizes(shape, a["axis"])
        names = _normalized_names(len(sizes))
        return outcome(dict(zip(names, sizes, strict=True)), shape, trainable=stat_vectors(1, names))

    args: Table = {**keras_base(), "axis": (IntOrInts, -1), "epsilon": (Float, 1e-6)}
    return LayerKind(Framework.KERAS, "RMSNormalization", "norm", args, solve, positional=("axis", "epsilon"))


def _keras_unit_norm() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        for axis in a["axis"]:
            batched_axis(axis, len(shape), "axis")
        return outcome({}, shape)

    return LayerKind(Framework.KERAS, "UnitNormalization", "norm", {**keras_base(), "axis": (IntOrInts, -1)}, solve, positional=("axis",))


def _keras_group_norm() -> LayerKind:
    args: Table = {**keras_base(), "groups": (Int, 32), "axis": (Int, -1), "epsilon": (Float, 1e-3), "center": (Bool, True),
                   "scale": (Bool, True), **_GAMMA_BETA}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        c = _axis_size(shape, a["axis"])
        groups = c if a["groups"] == -1 else a["groups"]  # groups=-1: one group per channel
        if groups < 1:
            raise ArgError(f"groups must be a positive integer or -1 (one group per channel), got {groups}", "groups")
        if c % groups:
            raise ArgError(f"the {c} channels cannot be split into {groups} equal groups (groups must divide the channels)", "groups")
        affine = int(a["scale"]) + int(a["center"])
        return outcome({"C": c, "g": groups}, shape, trainable=stat_vectors(affine))

    return LayerKind(Framework.KERAS, "GroupNormalization", "norm", args, solve,
                     positional=("groups", "axis", "epsilon", "center", "scale", *_GAMMA_BETA_ORDER))


# --- PyTorch -------------------------------------------------------------------------------------


def _torch_affine(affine: bool, bias: bool) -> int:
    """weight (γ) and bias (β) exist only with affine=True; bias=False drops β."""
    return int(affine) * (1 + int(bias))


def _torch_stats_norm(name: str, rank: int, instance: bool) -> LayerKind:
    """BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d: C channels in dim 1 of the batched input."""
    args: Table = {"num_features": (Opt(PosInt), None), "eps": (Float, 1e-5),
                   "momentum": (Opt(Float), 0.1),
                   "affine": (Bool, not instance), "track_running_stats": (Bool, not instance), **torch_common(), "bias": (Bool, True)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        # A num_features that disagrees with the input is an error even in the corners where
        # PyTorch only warns (InstanceNorm without affine) or never looks at it.
        c = infer_channels(a, "num_features", shape[0], "channels")
        env = {"C": c, "A": int(a["affine"]), "B": int(a["bias"]), "R": 2 * int(a["track_running_stats"])}
        return outcome(env, shape, trainable=stat_vectors(_torch_affine(a["affine"], a["bias"])), resolved={"num_features": c})

    # BatchNorm1d takes (N, C) or (N, C, L); InstanceNorm1d's 2-D form is unbatched, so only (N, C, L).
    low = 1 if rank == 1 and not instance else rank + 1
    return LayerKind(Framework.PYTORCH, name, "norm", args, solve,
                     positional=("num_features", "eps", "momentum", "affine", "track_running_stats", "device", "dtype"),
                     min_rank=low, max_rank=rank + 1)


def _normalized_shape(value: object) -> tuple[int, ...]:
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items:
        raise ArgError(f"must be a positive integer or a non-empty list of them, got {value!r}")
    return tuple(PosInt(v) for v in items)


def _check_trailing(shape: Shape, normalized: tuple[int, ...]) -> None:
    if len(normalized) > len(shape):
        raise ArgError(f"normalized_shape {list(normalized)} has more dimensions than the input {list(shape)} "
                       f"(batch excluded)", "normalized_shape")
    tail = shape[len(shape) - len(normalized):]
    if any(s is not None and s != n for s, n in zip(tail, normalized, strict=True)):
        raise ArgError(f"normalized_shape {list(normalized)} must equal the input's last dimensions {list(tail)}", "normalized_shape")


def _torch_layer_norm(rms: bool) -> LayerKind:
    args: Table = {"normalized_shape": (_normalized_shape, REQUIRED), "eps": (Opt(Float), None) if rms else (Float, 1e-5),
                   "elementwise_affine": (Bool, True)}
    if not rms:
        args["bias"] = (Bool, True)
    args.update(torch_common())

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        normalized = a["normalized_shape"]
        _check_trailing(shape, normalized)
        names = _normalized_names(len(normalized))
        count = _torch_affine(a["elementwise_affine"], False if rms else a["bias"])
        return outcome(dict(zip(names, normalized, strict=True)), shape, trainable=stat_vectors(count, names))

    return LayerKind(Framework.PYTORCH, "RMSNorm" if rms else "LayerNorm", "norm", args, solve, positional=tuple(args))


def _torch_group_norm() -> LayerKind:
    args: Table = {"num_groups": (PosInt, REQUIRED), "num_channels": (Opt(PosInt), None), "eps": (Float, 1e-5),
                   "affine": (Bool, True), **torch_common(), "bias": (Bool, True)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        c = infer_channels(a, "num_channels", shape[0], "channels")
        groups = a["num_groups"]
        if c % groups:
            raise ArgError(f"num_channels ({c}) must be divisible by num_groups ({groups})", "num_groups")
        env = {"C": c, "g": groups, "A": int(a["affine"]), "B": int(a["bias"])}
        return outcome(env, shape, trainable=stat_vectors(_torch_affine(a["affine"], a["bias"])), resolved={"num_channels": c})

    return LayerKind(Framework.PYTORCH, "GroupNorm", "norm", args, solve,
                     positional=("num_groups", "num_channels", "eps", "affine", "device", "dtype"))


def _torch_local_response_norm() -> LayerKind:
    args: Table = {"size": (PosInt, REQUIRED), "alpha": (Float, 1e-4), "beta": (Float, 0.75), "k": (Float, 1.0)}
    return LayerKind(Framework.PYTORCH, "LocalResponseNorm", "norm", args, lambda a, shape: outcome({}, shape),
                     positional=("size", "alpha", "beta", "k"), min_rank=2)


register(_keras_batch_norm())
register(_keras_layer_norm())
register(_keras_rms_norm())
register(_keras_unit_norm())
register(_keras_group_norm())
for _rank in (1, 2, 3):
    register(_torch_stats_norm(f"BatchNorm{_rank}d", _rank, instance=False))
    register(_torch_stats_norm(f"InstanceNorm{_rank}d", _rank, instance=True))
register(_torch_layer_norm(rms=False))
register(_torch_layer_norm(rms=True))
register(_torch_group_norm())
register(_torch_local_response_norm())
