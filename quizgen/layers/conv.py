"""Standard convolutions: keras.layers.Conv1D/2D/3D and torch.nn.Conv1d/2d/3d."""

from __future__ import annotations

__all__ = ["conv_macs", "conv_params"]

from functools import cache
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
    Choice,
    Ints,
    LayerKind,
    LayerOutcome,
    Opt,
    PosInt,
    Shape,
    Validator,
    channels_first,
    keras_common,
    outcome,
    torch_common,
)
from .geometry import axes_for, check_window_fits, conv_length, join_layout, keras_length, solve_output_sizes, spatial_layout

C_IN, C_OUT, G = Sym("C_in"), Sym("C_out"), Sym("g")


def _kernel(rank: int) -> Expr:
    axes = axes_for(rank)
    return Mul(tuple(a.sym("K") for a in axes)) if rank > 1 else axes[0].sym("K")


@cache
def conv_params(rank: int, bias: bool, grouped: bool) -> Expr:
    """C_out·(K_h·K_w·C_in + 1), with C_in/g when grouped and without +1 when bias is off."""
    fan_in = Mul((*_factors(_kernel(rank)), C_IN / G if grouped else C_IN))
    return C_OUT * (fan_in + 1) if bias else Mul((C_OUT, *fan_in.factors))


@cache
def conv_macs(rank: int, grouped: bool) -> Expr:
    """H_out·W_out·C_out·(C_in/g)·K_h·K_w: one multiply-add per weight per output position."""
    outs = tuple(a.size_out for a in axes_for(rank))
    return Mul((*outs, C_OUT, C_IN / G if grouped else C_IN, *_factors(_kernel(rank))))


def _factors(expr: Expr) -> tuple[Expr, ...]:
    return expr.factors if isinstance(expr, Mul) else (expr,)


def _finish(rank: int, env: dict[str, Any], out_spatial: list[int | None], formulas: list[Expr | None],
            channels_last: bool, bias: bool, grouped: bool, resolved: dict[str, Any] | None = None) -> LayerOutcome:
    spatial_known = all(s is not None for s in out_spatial)
    dims: list[Expr | None] = [*formulas, None] if channels_last else [None, *formulas]
    return outcome(
        env,
        join_layout(out_spatial, env["C_out"], channels_last),
        trainable=conv_params(rank, bias, grouped),
        macs=conv_macs(rank, grouped) if spatial_known else None,
        dims=dims,
        resolved=resolved,
    )


def _window_names(rank: int) -> tuple[tuple[str, str, str, str], ...]:
    """Each axis' kernel, stride, dilation and padding symbol names (K_h, S_h, D_h, P_h), in the order env binds them."""
    return tuple((axis.name("K"), axis.name("S"), axis.name("D"), axis.name("P")) for axis in axes_for(rank))


# --- Keras -----------------------------------------------------------------------------------


def _keras_conv(rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(weights=True),
        "filters": (PosInt, REQUIRED),
        "kernel_size": (Ints(rank), REQUIRED),
        "strides": (Ints(rank), 1),
        "padding": (Choice("valid", "same", "causal") if rank == 1 else Choice("valid", "same"), "valid"),
        "data_format": DATA_FORMAT,
        "dilation_rate": (Ints(rank), 1),
        "groups": (PosInt, 1),
        "use_bias": (Bool, True),
    }

    names = _window_names(rank)
    lengths = {padding: tuple(keras_length(axis, padding) for axis in axes_for(rank)) for padding in ("valid", "same", "causal")}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        last = not channels_first(a)
        sizes, c_in = spatial_layout(shape, rank, last)
        if c_in is None:
            raise ArgError("the channel dimension of the input must be known (not null)")
        groups = a["groups"]
        if a["filters"] % groups or c_in % groups:
            raise ArgError(f"groups: filters ({a['filters']}) and input channels ({c_in}) must both be divisible by groups ({groups})",
                           "groups")
        if max(a["strides"]) > 1 and max(a["dilation_rate"]) > 1:
            raise ArgError("strides > 1 together with dilation_rate > 1 is not supported by Keras", "strides")
        env: dict[str, Any] = {"C_in": c_in, "C_out": a["filters"], "g": groups, "B": int(a["use_bias"])}
        for (k_name, s_name, d_name, p_name), k, s, d in zip(names, a["kernel_size"], a["strides"], a["dilation_rate"], strict=True):
            env[k_name], env[s_name], env[d_name], env[p_name] = k, s, d, 0
        if a["padding"] == "valid":
            check_window_fits("", rank, sizes, env, "valid")
        out, formulas = solve_output_sizes(rank, sizes, env, lengths[a["padding"]])
        return _finish(rank, env, out, formulas, last, a["use_bias"], groups > 1)

    positional = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation", "use_bias")
    return LayerKind(Framework.KERAS, f"Conv{rank}D", "conv", args, solve, positional=positional, min_rank=rank + 1, max_rank=rank + 1)


# --- PyTorch ---------------------------------------------------------------------------------


def torch_padding(rank: int) -> Validator:
    ints = Ints(rank, minimum=0)

    def check(value: object) -> object:
        if isinstance(value, str):
            return Choice("same", "valid")(value)
        return ints(value)

    return check


def infer_channels(a: Args, field: str, actual: int | None, what: str = "channels") -> int:
    """PyTorch's in_channels/in_features/num_features: inferred when omitted, checked when given."""
    given = a.get(field)
    if actual is None:
        if given is None:
            raise ArgError(f"{field} cannot be inferred from an unknown (null) input dimension; give it explicitly", field)
        return int(given)
    if given is not None and given != actual:
        raise ArgError(f"{field}={given} but the input has {actual} {what} (input shape is channels-first)", field)
    return actual


def _torch_conv(rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **torch_common(),
        "in_channels": (Opt(PosInt), None),
        "out_channels": (PosInt, REQUIRED),
        "kernel_size": (Ints(rank), REQUIRED),
        "stride": (Ints(rank), 1),
        "padding": (torch_padding(rank), 0),
        "dilation": (Ints(rank), 1),
        "groups": (PosInt, 1),
        "bias": (Bool, True),
        "padding_mode": (Choice("zeros", "reflect", "replicate", "circular"), "zeros"),
    }

    names = _window_names(rank)
    lengths = tuple(conv_length(axis) for axis in axes_for(rank))
    same = tuple(axis.size_in for axis in axes_for(rank))

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, c_seen = spatial_layout(shape, rank, channels_last=False)
        c_in = infer_channels(a, "in_channels", c_seen)
        groups = a["groups"]
        if c_in % groups:
            raise ArgError(f"in_channels ({c_in}) must be divisible by groups ({groups})", "groups")
        if a["out_channels"] % groups:
            raise ArgError(f"out_channels ({a['out_channels']}) must be divisible by groups ({groups})", "groups")
        padding = a["padding"]
        if padding == "same" and any(s > 1 for s in a["stride"]):
            raise ArgError("padding='same' is not supported for strided convolutions (PyTorch)", "padding")
        env: dict[str, Any] = {"C_in": c_in, "C_out": a["out_channels"], "g": groups, "B": int(a["bias"])}
        pads = (0,) * rank if padding in ("same", "valid") else padding
        for (k_name, s_name, d_name, p_name), k, s, d, p in zip(names, a["kernel_size"], a["stride"], a["dilation"], pads, strict=True):
            env[k_name], env[s_name], env[d_name], env[p_name] = k, s, d, p
        if padding == "same":
            # Output equals input; PyTorch pads D·(K−1) in total, split as evenly as possible.
            out, formulas = solve_output_sizes(rank, sizes, env, same)
        else:
            check_window_fits("", rank, sizes, env, "valid" if padding == "valid" else "")
            out, formulas = solve_output_sizes(rank, sizes, env, lengths)
        return _finish(rank, env, out, formulas, False, a["bias"], groups > 1, {"in_channels": c_in})

    positional = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias", "padding_mode")
    return LayerKind(Framework.PYTORCH, f"Conv{rank}d", "conv", args, solve, positional=positional, min_rank=rank + 1, max_rank=rank + 1)


for _rank in (1, 2, 3):
    register(_keras_conv(_rank))
    register(_torch_conv(_rank))
