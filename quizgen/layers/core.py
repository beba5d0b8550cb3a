"""Dense/Linear and Flatten: the fully connected end of most exercise networks."""

from __future__ import annotations

__all__ = ["dense_params", "layout_names"]

from functools import cache
from math import prod
from typing import Any

from ..formula import Expr, Mul, Sym
from ..spec import Framework
from . import register
from .base import (
    DATA_FORMAT,
    REQUIRED,
    ArgError,
    Args,
    Bool,
    Ints,
    LayerKind,
    LayerOutcome,
    Opt,
    PosInt,
    Shape,
    Validator,
    keras_common,
    outcome,
    torch_common,
)

N_IN, N_OUT, M = Sym("N_in"), Sym("N_out"), Sym("M")


@cache
def dense_params(bias: bool) -> Expr:
    """N_out·(N_in + 1): one weight per input feature plus a bias, for every output unit."""
    return N_OUT * (N_IN + 1) if bias else N_OUT * N_IN


@cache
def dense_macs(batched_positions: bool) -> Expr:
    """N_in·N_out per position; M positions when applied to every step of a sequence/grid."""
    return M * N_IN * N_OUT if batched_positions else N_IN * N_OUT


def layout_names(rank: int, channels_last: bool) -> tuple[str, ...]:
    """Readable names of an input's dimensions: (H_in, W_in, C_in) for a Keras image, etc."""
    spatial = {1: (), 2: ("L_in",), 3: ("H_in", "W_in"), 4: ("D_in", "H_in", "W_in")}.get(rank)
    if spatial is None:
        return tuple(f"X{i + 1}" for i in range(rank))
    if rank == 1:
        return ("N_in",)
    return (*spatial, "C_in") if channels_last else ("C_in", *spatial)


def _dense_like(a: Args, shape: Shape, units: int, bias: bool, field: str | None = None) -> LayerOutcome:
    n_in = shape[-1]
    if n_in is None:
        raise ArgError("the last input dimension must be known (not null) to size the weights")
    if field is not None and a.get(field) is not None and a[field] != n_in:
        raise ArgError(f"{field}={a[field]} but the input's last dimension is {n_in}", field)
    lead = shape[:-1]
    env: dict[str, Any] = {"N_in": n_in, "N_out": units, "B": int(bias)}
    known = all(d is not None for d in lead)
    if lead and known:
        env["M"] = prod(d for d in lead if d is not None)
    macs: Expr | None = dense_macs(bool(lead)) if known else None
    return outcome(env, (*lead, units), trainable=dense_params(bias), macs=macs,
                   dims=None, resolved={field: n_in} if field else None)


def _keras_dense() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {**keras_common(weights=True), "units": (PosInt, REQUIRED), "use_bias": (Bool, True)}
    return LayerKind(Framework.KERAS, "Dense", "dense", args,
                     lambda a, shape: _dense_like(a, shape, a["units"], a["use_bias"]),
                     positional=("units", "activation", "use_bias"))


def _torch_linear() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **torch_common(), "in_features": (Opt(PosInt), None), "out_features": (PosInt, REQUIRED), "bias": (Bool, True)}
    return LayerKind(Framework.PYTORCH, "Linear", "dense", args,
                     lambda a, shape: _dense_like(a, shape, a["out_features"], a["bias"], "in_features"),
                     positional=("in_features", "out_features", "bias"))


def _flatten(shape: Shape, start: int, end: int, channels_last: bool) -> LayerOutcome:
    """Merge dims start..end (indices into the shape without batch)."""
    merged = shape[start:end + 1]
    names = layout_names(len(shape), channels_last)[start:end + 1] if start == 0 and end == len(shape) - 1 else tuple(
        f"X{i + 1}" for i in range(start, end + 1))
    env = {name: size for name, size in zip(names, merged, strict=True) if size is not None}
    size = prod(d for d in merged if d is not None) if all(d is not None for d in merged) else None
    formula: Expr | None = Mul(tuple(Sym(n) for n in names)) if size is not None and len(names) > 1 else None
    out = (*shape[:start], size, *shape[end + 1:])
    dims = (*(None,) * start, formula, *(None,) * (len(shape) - end - 1))
    return outcome(env, out, dims=dims)


def _keras_flatten() -> LayerKind:
    args = {**keras_common(), "data_format": DATA_FORMAT}
    return LayerKind(Framework.KERAS, "Flatten", "reshape", args,
                     lambda a, shape: _flatten(shape, 0, len(shape) - 1, channels_last=True), positional=("data_format",))


def _torch_flatten() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {"start_dim": (Ints(1, minimum=-99), 1), "end_dim": (Ints(1, minimum=-99), -1)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        rank = len(shape) + 1  # start_dim/end_dim index the batched tensor, as in PyTorch
        start, end = (d[0] + rank if d[0] < 0 else d[0] for d in (a["start_dim"], a["end_dim"]))
        if not (0 <= start < rank and 0 <= end < rank) or start > end:
            raise ArgError(f"start_dim={a['start_dim'][0]}, end_dim={a['end_dim'][0]} do not fit an input of rank {rank} (batch included)")
        if start == 0:
            raise ArgError("start_dim=0 would flatten the batch dimension, which specs exclude; use start_dim >= 1", "start_dim")
        return _flatten(shape, start - 1, end - 1, channels_last=False)

    return LayerKind(Framework.PYTORCH, "Flatten", "reshape", args, solve, positional=("start_dim", "end_dim"))


register(_keras_dense())
register(_torch_linear())
register(_keras_flatten())
register(_torch_flatten())
