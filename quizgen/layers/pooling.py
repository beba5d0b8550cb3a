"""Pooling: Keras Max/AveragePoolingND and GlobalMax/GlobalAveragePoolingND, torch.nn Max/AvgPoolNd and
AdaptiveMax/AdaptiveAvgPoolNd. No weights and, by the DESIGN.md convention, 0 MACs; only the shape
needs working out, so every output dimension gets its formula.

Two rules students trip over:
- Keras: 'valid' ⌊(X − K)/S⌋ + 1, 'same' ⌈X/S⌉, and strides default to pool_size.
- PyTorch: ⌊(X + 2·P − D·(K − 1) − 1)/S⌋ + 1 (⌈⌉ with ceil_mode), stride defaults to kernel_size,
  padding may be at most half the kernel, and with ceil_mode a last window that would start
  in the right padding (beyond X + P) is dropped: if (out − 1)·S ≥ X + P then out − 1.
  (AvgPool3d alone also insists on X ≥ K before padding, even with ceil_mode.)
"""

from __future__ import annotations

__all__ = ["keras_pool_length", "torch_pool_length"]

from functools import cache
from typing import Any

from ..formula import Expr, Neg, Num, Sym, bind, floor_div
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
    Shape,
    Validator,
    channels_first,
    keras_common,
    outcome,
)
from .geometry import Axis, axes_for, check_window_fits, conv_length, join_layout, keras_length, solve_output_sizes, spatial_layout


@cache
def keras_pool_length(axis: Axis, padding: str) -> Expr:
    """Keras: 'valid' ⌊(X − K)/S⌋ + 1 (whole windows only), 'same' ⌈X/S⌉ (padding fills the last window)."""
    if padding == "same":
        return keras_length(axis, "same")
    return floor_div(axis.size_in - axis.sym("K"), axis.sym("S")) + 1


@cache
def torch_pool_length(axis: Axis, *, dilated: bool, ceil: bool, clipped: bool = False) -> Expr:
    """PyTorch: ⌊(X + 2·P − D·(K − 1) − 1)/S⌋ + 1; ⌈⌉ with ceil_mode, "− 1" when the last window is dropped.

    With ceil_mode PyTorch keeps a partial last window only if it starts inside the input or
    the left padding: when (out − 1)·S ≥ X + P the window would lie entirely in the right
    padding and out is reduced by one (aten pooling_output_shape). `clipped` is that case.
    AvgPool has no dilation (D = 1), so its formula is written with K − 1.
    """
    formula = conv_length(axis, dilated=dilated, ceil=ceil)
    return formula + Neg(Num(1)) if clipped else formula


# --- Keras -----------------------------------------------------------------------------------


def _keras_pool(kind: str, rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        "activity_regularizer": (ANY, None),
        "pool_size": (Ints(rank), 2 if kind == "Max" else REQUIRED),
        "strides": (Opt(Ints(rank)), None),
        "padding": (Choice("valid", "same"), "valid"),
        "data_format": DATA_FORMAT,
    }

    names = tuple((axis.name("K"), axis.name("S")) for axis in axes_for(rank))
    lengths = {padding: tuple(keras_pool_length(axis, padding) for axis in axes_for(rank)) for padding in ("valid", "same")}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        last = not channels_first(a)
        sizes, channels = spatial_layout(shape, rank, last)
        strides = a["strides"] if a["strides"] is not None else a["pool_size"]
        env: dict[str, Any] = {} if channels is None else {"C_in": channels}
        for (k_name, s_name), k, s in zip(names, a["pool_size"], strides, strict=True):
            env[k_name], env[s_name] = k, s
        if a["padding"] == "valid":
            check_window_fits("pool_size: ", rank, sizes, env, "valid")
        out, formulas = solve_output_sizes(rank, sizes, env, lengths[a["padding"]])
        dims: list[Expr | None] = [*formulas, None] if last else [None, *formulas]
        return outcome(env, join_layout(out, channels, last), dims=dims)

    return LayerKind(Framework.KERAS, f"{kind}Pooling{rank}D", "pooling", args, solve,
                     positional=("pool_size", "strides", "padding", "data_format", "name"), min_rank=rank + 1, max_rank=rank + 1)


def _keras_global(kind: str, rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        "activity_regularizer": (ANY, None),
        "data_format": DATA_FORMAT,
        "keepdims": (Bool, False),
    }

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        last = not channels_first(a)
        _, channels = spatial_layout(shape, rank, last)
        env: dict[str, Any] = {} if channels is None else {"C_in": channels}
        if not a["keepdims"]:
            return outcome(env, (channels,))
        # Every spatial dimension is reduced to one value per channel.
        ones: list[Expr | None] = [Num(1)] * rank
        return outcome(env, join_layout([1] * rank, channels, last), dims=[*ones, None] if last else [None, *ones])

    return LayerKind(Framework.KERAS, f"Global{kind}Pooling{rank}D", "pooling", args, solve,
                     positional=("data_format", "keepdims"), min_rank=rank + 1, max_rank=rank + 1)


# --- PyTorch ---------------------------------------------------------------------------------


def _stride(rank: int) -> Validator:
    """None (or an empty list, which PyTorch treats alike) means stride = kernel_size."""
    ints = Ints(rank)

    def check(value: object) -> tuple[int, ...] | None:
        if value is None or value == [] or value == ():
            return None
        result: tuple[int, ...] = ints(value)
        return result

    return check


def _nonzero_int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0:
        raise ArgError(f"must be a non-zero integer, got {value!r}")
    return value


def _torch_pool(kind: str, rank: int) -> LayerKind:
    is_max = kind == "Max"
    args: dict[str, tuple[Validator, Any]] = {
        "kernel_size": (Ints(rank), REQUIRED),
        "stride": (_stride(rank), None),
        "padding": (Ints(rank, minimum=0), 0),
        "ceil_mode": (Bool, False),
    }
    if is_max:
        args.update({"dilation": (Ints(rank), 1), "return_indices": (Bool, False)})
        positional: tuple[str, ...] = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
    else:
        # count_include_pad and divisor_override change the averages, not the shape.
        args["count_include_pad"] = (Bool, True)
        positional = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")
        if rank > 1:  # AvgPool1d has no divisor_override
            args["divisor_override"] = (Opt(_nonzero_int), None)
            positional += ("divisor_override",)

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, channels = spatial_layout(shape, rank, channels_last=False)
        kernel, padding = a["kernel_size"], a["padding"]
        strides = a["stride"] if a["stride"] is not None else kernel
        dilation = a["dilation"] if is_max else (1,) * rank
        env: dict[str, Any] = {} if channels is None else {"C_in": channels}
        for axis, k, s, p, d, size in zip(axes_for(rank), kernel, strides, padding, dilation, sizes, strict=True):
            if p > k // 2:
                raise ArgError(f"padding {p} must be at most half of kernel_size {k} (PyTorch: pad should be at most half of kernel size)",
                               "padding")
            env.update({axis.name("K"): k, axis.name("S"): s, axis.name("P"): p})
            if is_max:
                env[axis.name("D")] = d
            if size is not None:
                env[axis.size_in.name] = size
                if rank == 3 and not is_max and size < k:  # aten avg_pool3d checks the unpadded input
                    raise ArgError(f"kernel_size {k} > input {size}: AvgPool3d needs every input size to be at least the "
                                   "kernel size, padding not counted (PyTorch)", "kernel_size")

        def rule(axis: Axis) -> Expr:
            formula = torch_pool_length(axis, dilated=is_max, ceil=a["ceil_mode"])
            if a["ceil_mode"] and axis.size_in.name in env:
                out = int(formula.evaluate(env))
                if (out - 1) * env[axis.name("S")] >= env[axis.size_in.name] + env[axis.name("P")]:
                    return torch_pool_length(axis, dilated=is_max, ceil=True, clipped=True)
            return formula

        out, formulas = solve_output_sizes(rank, sizes, env, rule)
        for axis, size, formula, k, d in zip(axes_for(rank), out, formulas, kernel, dilation, strict=True):
            if size is not None and size < 1 and formula is not None:
                span = f"kernel_size {k}" + (f" dilated by {d} spans {d * (k - 1) + 1}" if d > 1 else "")
                raise ArgError(f"{span} does not fit input {env[axis.size_in.name]} + 2·padding {env[axis.name('P')]}: "
                               f"{axis.size_out.name} = {bind(formula, env).steps()} (must be at least 1)", "kernel_size")
        return outcome(env, join_layout(out, channels, False), dims=[None, *formulas])

    return LayerKind(Framework.PYTORCH, f"{kind}Pool{rank}d", "pooling", args, solve,
                     positional=positional, min_rank=rank + 1, max_rank=rank + 1)


def _output_size(rank: int) -> Validator:
    """An int, or a list of `rank` entries each a positive int or None (None keeps that input size; not in 1-D)."""
    nullable = rank > 1

    def check(value: object) -> tuple[int | None, ...]:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return (value,) * rank
        if isinstance(value, (list, tuple)) and len(value) == rank and all(
            (v is None and nullable) or (isinstance(v, int) and not isinstance(v, bool) and v >= 1) for v in value
        ):
            return tuple(value)
        entries = "positive integers or null (keep that size)" if nullable else "positive integers"
        raise ArgError(f"must be a positive integer or a list of {rank} {entries}, got {value!r}")

    return check


def _torch_adaptive(kind: str, rank: int) -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {"output_size": (_output_size(rank), REQUIRED)}
    if kind == "Max":
        args["return_indices"] = (Bool, False)

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, channels = spatial_layout(shape, rank, channels_last=False)
        env: dict[str, Any] = {} if channels is None else {"C_in": channels}
        out: list[int | None] = []
        dims: list[Expr | None] = [None]
        for axis, size, wanted in zip(axes_for(rank), sizes, a["output_size"], strict=True):
            if size is not None:
                env[axis.size_in.name] = size
            if wanted is None:  # None keeps the input's size along this axis
                out.append(size)
                dims.append(axis.size_in if size is not None else None)
            else:  # the windows adapt so that exactly output_size values come out (O = output_size)
                env[axis.name("O")] = wanted
                out.append(wanted)
                dims.append(Sym(axis.name("O")))
        return outcome(env, join_layout(out, channels, False), dims=dims)

    return LayerKind(Framework.PYTORCH, f"Adaptive{kind}Pool{rank}d", "pooling", args, solve,
                     positional=("output_size", "return_indices") if kind == "Max" else ("output_size",),
                     min_rank=rank + 1, max_rank=rank + 1)


for _rank in (1, 2, 3):
    for _kind in ("Max", "Average"):
        register(_keras_pool(_kind, _rank))
        register(_keras_global(_kind, _rank))
    for _kind in ("Max", "Avg"):
        register(_torch_pool(_kind, _rank))
        register(_torch_adaptive(_kind, _rank))
