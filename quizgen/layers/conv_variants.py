"""Convolution variants: transposed (Keras ConvND Transpose, torch.nn.ConvTransposeNd), depthwise and separable.

Transposed convolutions run the forward convolution backwards: every input element is
multiplied by the whole kernel and the products are scattered (overlapping) into the output.
Their weights have the same count as the matching convolution (PyTorch stores them as
(C_in, C_out/g, K...), Keras as (K..., C_out, C_in)), but the output grows:
PyTorch (X − 1)·S − 2·P + D·(K − 1) + OP + 1, Keras by its own padding rules (below).
"""

from __future__ import annotations

__all__ = [
    "depthwise_macs",
    "depthwise_params",
    "keras_transpose_length",
    "separable_macs",
    "separable_params",
    "torch_transpose_length",
    "transpose_macs",
]

from functools import cache
from typing import Any

from ..formula import Add, Expr, Max, Mul, Sym, bind
from ..spec import Framework
from . import register
from .base import (
    ANY,
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
from .conv import conv_params, infer_channels
from .geometry import Axis, axes_for, check_window_fits, join_layout, keras_length, solve_output_sizes, spatial_layout

C_IN, C_OUT, G, DM = Sym("C_in"), Sym("C_out"), Sym("g"), Sym("dm")


def _kernel_factors(rank: int) -> tuple[Expr, ...]:
    return tuple(a.sym("K") for a in axes_for(rank))


def _product(factors: tuple[Expr, ...]) -> Expr:
    return factors[0] if len(factors) == 1 else Mul(factors)


# --- Formulas --------------------------------------------------------------------------------


@cache
def torch_transpose_length(axis: Axis) -> Expr:
    """PyTorch: (X − 1)·S − 2·P + D·(K − 1) + OP + 1 (the inverse of the convolution's size rule)."""
    x, k, s, d = axis.size_in, axis.sym("K"), axis.sym("S"), axis.sym("D")
    return (x - 1) * s - 2 * axis.sym("P") + d * (k - 1) + axis.sym("OP") + 1


@cache
def keras_transpose_length(axis: Axis, padding: str, output_padding: bool) -> Expr:
    """Keras 3 (keras.src.backend.common.backend_utils._get_output_shape_given_tf_padding).

    With K_eff = D·(K − 1) + 1:
    - 'valid', output_padding None: (X − 1)·S + max(K_eff, S)  (windows never overlap less than a stride)
    - 'valid', output_padding OP:   (X − 1)·S + K_eff + OP
    - 'same',  output_padding None: X·S  (exactly undoes a 'same' convolution of stride S)
    - 'same',  output_padding OP:   (X − 1)·S + K_eff − 2·P + OP with P = ⌊K_eff/2⌋ cropped per side,
      i.e. (X − 1)·S + (K_eff mod 2) + OP; P_h is bound in the layer's env.
    """
    x, k, s, d = axis.size_in, axis.sym("K"), axis.sym("S"), axis.sym("D")
    if padding == "same":
        if not output_padding:
            return x * s
        return (x - 1) * s + d * (k - 1) + 1 - 2 * axis.sym("P") + axis.sym("OP")
    if not output_padding:
        return (x - 1) * s + Max((d * (k - 1) + 1, s))
    return (x - 1) * s + d * (k - 1) + 1 + axis.sym("OP")


@cache
def transpose_macs(rank: int, grouped: bool) -> Expr:
    """H_in·W_in·C_in·(C_out/g)·K_h·K_w: every input element times every weight it meets.

    Counted on the input grid, not the output: each of the H_in·W_in·C_in input values is
    multiplied by its K_h·K_w·(C_out/g) kernel weights and scattered into the output. Padding
    only crops the result, so it does not change the count. This equals
    torch.utils.flop_counter.FlopCounterMode FLOPs / 2 for ConvTransposeNd (checked by the
    oracle tests), which counts transposed convolutions on the input's spatial shape.
    """
    ins = tuple(a.size_in for a in axes_for(rank))
    return Mul((*ins, C_IN, C_OUT / G if grouped else C_OUT, *_kernel_factors(rank)))


@cache
def depthwise_params(rank: int, bias: bool) -> Expr:
    """C_in·dm·(K_h·K_w + 1): each of the C_in·dm output channels sees one input channel only."""
    kernel = _kernel_factors(rank)
    return Mul((C_IN, DM, _product(kernel) + 1)) if bias else Mul((*kernel, C_IN, DM))


@cache
def depthwise_macs(rank: int) -> Expr:
    """H_out·W_out·C_in·dm·K_h·K_w: one K_h·K_w window per output position and output channel."""
    outs = tuple(a.size_out for a in axes_for(rank))
    return Mul((*outs, C_IN, DM, *_kernel_factors(rank)))


@cache
def separable_params(rank: int, bias: bool) -> Expr:
    """K_h·K_w·C_in·dm (depthwise, no bias) + C_out·(C_in·dm + 1) (pointwise 1×1 conv with the bias)."""
    depthwise = Mul((*_kernel_factors(rank), C_IN, DM))
    pointwise = C_OUT * (C_IN * DM + 1) if bias else Mul((C_IN, DM, C_OUT))
    return depthwise + pointwise


@cache
def separable_macs(rank: int) -> Expr:
    """H_out·W_out·C_in·dm·K_h·K_w (depthwise) + H_out·W_out·C_in·dm·C_out (pointwise)."""
    outs = tuple(a.size_out for a in axes_for(rank))
    return Add((Mul((*outs, C_IN, DM, *_kernel_factors(rank))), Mul((*outs, C_IN, DM, C_OUT))))


def _check_positive(rank: int, out: list[int | None], formulas: list[Expr | None], env: dict[str, Any], field: str) -> None:
    for axis, size, formula in zip(axes_for(rank), out, formulas, strict=True):
        if size is not None and size < 1 and formula is not None:
            raise ArgError(f"{field} leaves no output: {axis.size_out.name} = {bind(formula, env).steps()} (must be at least 1)", field)


# --- Keras -----------------------------------------------------------------------------------


def _any(*names: str) -> dict[str, tuple[Validator, Any]]:
    return dict.fromkeys(names, (ANY, None))


_REGULARIZED = ("activation", "bias_initializer", "bias_regularizer", "activity_regularizer", "bias_constraint")
def _keras_channels(a: Args, shape: Shape, rank: int) -> tuple[tuple[int | None, ...], int, bool]:
    last = not channels_first(a)
    sizes, c_in = spatial_layout(shape, rank, last)
    if c_in is None:
        raise ArgError("the channel dimension of the input must be known (not null) to size the weights")
    return sizes, c_in, last


def _set_axes(env: dict[str, Any], rank: int, **per_axis: tuple[int, ...]) -> None:
    """env[K_h] = kernel_size[0], ... for every named per-axis argument."""
    for prefix, values in per_axis.items():
        for axis, value in zip(axes_for(rank), values, strict=True):
            env[axis.name(prefix)] = value


def _keras_transpose(rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        **_any(*_REGULARIZED, "kernel_initializer", "kernel_regularizer", "kernel_constraint"),
        "filters": (PosInt, REQUIRED),
        "kernel_size": (Ints(rank), REQUIRED),
        "strides": (Ints(rank), 1),
        "padding": (Choice("valid", "same"), "valid"),
        "output_padding": (Opt(Ints(rank, minimum=0)), None),
        "data_format": DATA_FORMAT,
        "dilation_rate": (Ints(rank), 1),
        "use_bias": (Bool, True),
    }

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, c_in, last = _keras_channels(a, shape, rank)
        strides, dilation, op = a["strides"], a["dilation_rate"], a["output_padding"]
        if any(s > 1 for s in strides) and any(d > 1 for d in dilation):
            raise ArgError("strides > 1 together with dilation_rate > 1 is not supported by Keras", "strides")
        if op is not None:
            for o, s in zip(op, strides, strict=True):
                if o >= s:
                    raise ArgError(f"output_padding ({o}) must be strictly less than strides ({s}) (Keras)", "output_padding")
        env: dict[str, Any] = {"C_in": c_in, "C_out": a["filters"], "B": int(a["use_bias"])}
        _set_axes(env, rank, K=a["kernel_size"], S=strides, D=dilation)
        if op is not None:
            _set_axes(env, rank, OP=op)
            if a["padding"] == "same":
                _set_axes(env, rank, P=tuple((d * (k - 1) + 1) // 2 for k, d in zip(a["kernel_size"], dilation, strict=True)))
        out, formulas = solve_output_sizes(rank, sizes, env, lambda axis: keras_transpose_length(axis, a["padding"], op is not None))
        _check_positive(rank, out, formulas, env, "output_padding")
        dims: list[Expr | None] = [*formulas, None] if last else [None, *formulas]
        return outcome(env, join_layout(out, a["filters"], last), trainable=conv_params(rank, a["use_bias"], False),
                       macs=transpose_macs(rank, False) if None not in sizes else None, dims=dims)

    # Conv3DTranspose's signature puts data_format before output_padding
    order = "padding data_format output_padding" if rank == 3 else "padding output_padding data_format"
    positional = tuple(f"filters kernel_size strides {order} dilation_rate activation use_bias".split())
    return LayerKind(Framework.KERAS, f"Conv{rank}DTranspose", "conv", args, solve,
                     positional=positional, min_rank=rank + 1, max_rank=rank + 1)


def _keras_depthwise_like(rank: int, separable: bool) -> LayerKind:
    parts = ("depthwise", "pointwise") if separable else ("depthwise",)
    weights = [f"{part}_{what}" for part in parts for what in ("initializer", "regularizer", "constraint")]
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        **_any(*_REGULARIZED, *weights),
        **({"filters": (PosInt, REQUIRED)} if separable else {}),
        "kernel_size": (Ints(rank), REQUIRED),
        "strides": (Ints(rank), 1),
        "padding": (Choice("valid", "same"), "valid"),
        "depth_multiplier": (PosInt, 1),
        "data_format": DATA_FORMAT,
        "dilation_rate": (Ints(rank), 1),
        "use_bias": (Bool, True),
    }

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, c_in, last = _keras_channels(a, shape, rank)
        dm, bias = a["depth_multiplier"], a["use_bias"]
        env: dict[str, Any] = {"C_in": c_in, "dm": dm, "B": int(bias)}
        env["C_out"] = a["filters"] if separable else c_in * dm
        _set_axes(env, rank, K=a["kernel_size"], S=a["strides"], D=a["dilation_rate"], P=(0,) * rank)
        if a["padding"] == "valid":
            check_window_fits("", rank, sizes, env, "valid")
        out, formulas = solve_output_sizes(rank, sizes, env, lambda axis: keras_length(axis, a["padding"]))
        channel: Expr | None = None if separable else C_IN * DM
        dims: list[Expr | None] = [*formulas, channel] if last else [channel, *formulas]
        known = None not in out
        return outcome(env, join_layout(out, env["C_out"], last),
                       trainable=separable_params(rank, bias) if separable else depthwise_params(rank, bias),
                       macs=(separable_macs(rank) if separable else depthwise_macs(rank)) if known else None, dims=dims)

    order = ("filters kernel_size strides padding data_format dilation_rate depth_multiplier" if separable
             else "kernel_size strides padding depth_multiplier data_format dilation_rate")
    positional = tuple(f"{order} activation use_bias".split())
    name = f"SeparableConv{rank}D" if separable else f"DepthwiseConv{rank}D"
    return LayerKind(Framework.KERAS, name, "conv", args, solve, positional=positional, min_rank=rank + 1, max_rank=rank + 1)


# --- PyTorch ---------------------------------------------------------------------------------


def _transpose_padding(rank: int) -> Validator:
    ints = Ints(rank, minimum=0)

    def check(value: object) -> tuple[int, ...]:
        if isinstance(value, str):
            raise ArgError(f"must be a non-negative integer or a list of {rank}; ConvTranspose has no {value!r} padding (PyTorch)")
        result: tuple[int, ...] = ints(value)
        return result

    return check


def _torch_transpose(rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **torch_common(),
        "in_channels": (Opt(PosInt), None),
        "out_channels": (PosInt, REQUIRED),
        "kernel_size": (Ints(rank), REQUIRED),
        "stride": (Ints(rank), 1),
        "padding": (_transpose_padding(rank), 0),
        "output_padding": (Ints(rank, minimum=0), 0),
        "groups": (PosInt, 1),
        "bias": (Bool, True),
        "dilation": (Ints(rank), 1),
        "padding_mode": (Choice("zeros", "reflect", "replicate", "circular"), "zeros"),
    }
    name = f"ConvTranspose{rank}d"

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, c_seen = spatial_layout(shape, rank, channels_last=False)
        c_in = infer_channels(a, "in_channels", c_seen)
        groups, c_out = a["groups"], a["out_channels"]
        if c_in % groups:
            raise ArgError(f"in_channels ({c_in}) must be divisible by groups ({groups})", "groups")
        if c_out % groups:
            raise ArgError(f"out_channels ({c_out}) must be divisible by groups ({groups})", "groups")
        if a["padding_mode"] != "zeros":
            raise ArgError(f"only padding_mode='zeros' is supported for {name} (PyTorch)", "padding_mode")
        for o, s, d in zip(a["output_padding"], a["stride"], a["dilation"], strict=True):
            if o >= s and o >= d:
                raise ArgError(f"output_padding ({o}) must be smaller than either stride ({s}) or dilation ({d}) (PyTorch)",
                               "output_padding")
        env: dict[str, Any] = {"C_in": c_in, "C_out": c_out, "g": groups, "B": int(a["bias"])}
        _set_axes(env, rank, K=a["kernel_size"], S=a["stride"], P=a["padding"], D=a["dilation"], OP=a["output_padding"])
        out, formulas = solve_output_sizes(rank, sizes, env, torch_transpose_length)
        _check_positive(rank, out, formulas, env, "padding")
        return outcome(env, join_layout(out, c_out, False), trainable=conv_params(rank, a["bias"], groups > 1),
                       macs=transpose_macs(rank, groups > 1) if None not in sizes else None,
                       dims=[None, *formulas], resolved={"in_channels": c_in})

    return LayerKind(Framework.PYTORCH, name, "conv", args, solve,
                     positional=("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups", "bias",
                                 "dilation", "padding_mode"),
                     min_rank=rank + 1, max_rank=rank + 1)


for _rank in (1, 2, 3):
    register(_keras_transpose(_rank))
    register(_torch_transpose(_rank))
for _rank in (1, 2):
    register(_keras_depthwise_like(_rank, separable=False))
    register(_keras_depthwise_like(_rank, separable=True))
