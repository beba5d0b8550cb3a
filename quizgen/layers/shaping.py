"""Layers that only move or resize data: padding, cropping, upsampling, reshaping. No parameters, 0 MACs.

Keras: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D, Reshape, Permute,
RepeatVector. PyTorch: ZeroPad/ConstantPad 1d/2d/3d (padding in PyTorch's last-dim-first order
(left, right, top, bottom, front, back)), Upsample and its deprecated 2d aliases, Unflatten,
PixelShuffle/PixelUnshuffle, ChannelShuffle. Imported by `simple`, which registers the family.
"""

from __future__ import annotations

__all__ = ["pad_length", "reshape_length", "upsample_length"]

from collections.abc import Sequence
from fractions import Fraction
from functools import cache
from math import floor, prod
from typing import Any

from ..formula import Div, Expr, Floor, Mul, Sym
from ..spec import Framework
from . import register
from .base import (
    DATA_FORMAT,
    REQUIRED,
    ArgError,
    Args,
    Bool,
    Choice,
    Float,
    Ints,
    LayerKind,
    LayerOutcome,
    Opt,
    PosInt,
    Shape,
    Validator,
    channels_first,
    outcome,
)
from .core import layout_names
from .geometry import AXES, Axis, spatial_layout
from .simple import Int, batched_axis, keras_base

Table = dict[str, tuple[Validator, Any]]
Pads = tuple[tuple[int, int], ...]

_SIDES = {"": ("left", "right"), "d": ("front", "back"), "h": ("top", "bottom"), "w": ("left", "right")}


@cache
def pad_length(axis: Axis, prefix: str, sign: int) -> Expr:
    """H_in + P_top + P_bottom (padding) or H_in − crop_top − crop_bottom (cropping)."""
    before, after = (Sym(f"{prefix}_{side}") for side in _SIDES[axis.letter])
    return axis.size_in + before + after if sign > 0 else axis.size_in - before - after


@cache
def upsample_length(axis: Axis, floored: bool) -> Expr:
    """s_h·H_in; PyTorch's fractional scale factors round down: ⌊s_h·H_in⌋."""
    grown = axis.sym("s") * axis.size_in
    return Floor(grown) if floored else grown


@cache
def reshape_length(inputs: tuple[str, ...], targets: tuple[str, ...]) -> Expr:
    """The -1 entry: every input element divided among the other target sizes, (H·W·C)/(t_1·t_2)."""
    num: Expr = Sym(inputs[0]) if len(inputs) == 1 else Mul(tuple(Sym(n) for n in inputs))
    if not targets:
        return num
    den: Expr = Sym(targets[0]) if len(targets) == 1 else Mul(tuple(Sym(n) for n in targets))
    return Div(num, den)


def _resize(shape: Shape, axes: Sequence[Axis], positions: Sequence[int], per_axis: Sequence[dict[str, Any]],
            rule: Any) -> tuple[list[int | None], list[Expr | None], dict[str, Any]]:
    """Apply ``rule(axis)`` at ``positions`` of ``shape``; null sizes stay null."""
    env: dict[str, Any] = {}
    out = list(shape)
    formulas: list[Expr | None] = [None] * len(shape)
    for axis, index, values in zip(axes, positions, per_axis, strict=True):
        env.update(values)
        size = shape[index]
        if size is None:
            continue
        env[axis.size_in.name] = size
        formula = rule(axis)
        out[index] = int(formula.evaluate(env))
        env[axis.size_out.name] = out[index]
        formulas[index] = formula
    return out, formulas, env


# --- Keras ---------------------------------------------------------------------------------------


def keras_pairs(n: int, field: str) -> Validator:
    """Keras padding/cropping: an int, n ints (symmetric per axis) or n (before, after) pairs; 1-D: int or one pair."""

    def pair(value: object) -> tuple[int, int]:
        items = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
        if (not isinstance(items, (list, tuple)) or len(items) != 2
                or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in items)):
            raise ArgError(f"must be a non-negative integer or a pair of them, got {value!r}")
        return (items[0], items[1])

    def check(value: object) -> Pads:
        if n == 1:
            return (pair(value),)
        if isinstance(value, int) and not isinstance(value, bool):
            return (pair(value),) * n
        if not isinstance(value, (list, tuple)) or len(value) != n:
            raise ArgError(f"must be an integer, {n} integers or {n} (before, after) pairs, got {value!r}")
        return tuple(pair(v) for v in value)

    return check


def _keras_positions(rank: int, a: Args, shape: Shape) -> tuple[tuple[int | None, ...], list[int]]:
    """Spatial sizes and their indices in the shape (channels last unless data_format says otherwise)."""
    last = not channels_first(a)
    sizes, _ = spatial_layout(shape, rank, last)
    first = 0 if last else 1
    return sizes, list(range(first, first + rank))


_PAD_CROP_DEFAULTS = {("padding", 1): 1, ("padding", 2): (1, 1), ("padding", 3): ((1, 1),) * 3,
                      ("cropping", 1): (1, 1), ("cropping", 2): ((0, 0),) * 2, ("cropping", 3): ((1, 1),) * 3}


def _keras_pad_crop(rank: int, cropping: bool) -> LayerKind:
    name = f"{'Cropping' if cropping else 'ZeroPadding'}{rank}D"
    field, prefix, sign = ("cropping", "crop", -1) if cropping else ("padding", "P", 1)
    args: Table = {**keras_base(), field: (keras_pairs(rank, field), _PAD_CROP_DEFAULTS[field, rank])}
    if rank > 1 or not cropping:  # Cropping1D alone has no data_format
        args["data_format"] = DATA_FORMAT

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        sizes, positions = _keras_positions(rank, a, shape)
        axes = AXES[rank]
        values = [{f"{prefix}_{side}": v for side, v in zip(_SIDES[axis.letter], pair, strict=True)}
                  for axis, pair in zip(axes, a[field], strict=True)]
        if cropping:
            for axis, size, pair in zip(axes, sizes, a[field], strict=True):
                if size is not None and sum(pair) >= size:
                    raise ArgError(f"cropping {pair[0]} + {pair[1]} leaves nothing of the input's {axis.size_name} = {size}", field)
        out, dims, env = _resize(shape, axes, positions, values, lambda axis: pad_length(axis, prefix, sign))
        return outcome(env, out, dims=dims)

    return LayerKind(Framework.KERAS, name, "padding", args, solve, positional=tuple(k for k in (field, "data_format") if k in args),
                     min_rank=rank + 1, max_rank=rank + 1)


_KERAS_INTERPOLATION = Choice("nearest", "bilinear", "bicubic", "lanczos3", "lanczos5", "area")


def _keras_upsampling(rank: int) -> LayerKind:
    args: Table = {**keras_base(), "size": (PosInt if rank == 1 else Ints(rank), 2)}
    if rank > 1:
        args["data_format"] = DATA_FORMAT
    if rank == 2:
        args["interpolation"] = (_KERAS_INTERPOLATION, "nearest")
    name = f"UpSampling{rank}D"

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        _, positions = _keras_positions(rank, a, shape)
        factors = (a["size"],) if rank == 1 else a["size"]
        values = [{axis.name("s"): f} for axis, f in zip(AXES[rank], factors, strict=True)]
        out, dims, env = _resize(shape, AXES[rank], positions, values, lambda axis: upsample_length(axis, False))
        return outcome(env, out, dims=dims)

    positional = ("size",) if rank == 1 else ("size", "data_format", "interpolation") if rank == 2 else ("size", "data_format")
    return LayerKind(Framework.KERAS, name, "reshape", args, solve, positional=positional, min_rank=rank + 1, max_rank=rank + 1)


def _target_shape(value: object) -> tuple[int | None, ...]:
    if (not isinstance(value, (list, tuple)) or not value
            or any(v is not None and (isinstance(v, bool) or not isinstance(v, int) or (v < 1 and v != -1)) for v in value)):
        raise ArgError(f"must be a non-empty list of positive sizes (one may be -1), got {value!r}")
    if list(value).count(-1) > 1:
        raise ArgError(f"may contain at most one -1, got {list(value)}")
    return tuple(value)


def _unknown_entry(shape: Shape, names: Sequence[str], target: Sequence[int | None], field: str,
                   what: str) -> tuple[list[int | None], list[Expr | None], dict[str, Any]]:
    """Sizes for a reshape to ``target``: the -1 entry is inferred; a null input leaves it null."""
    env: dict[str, Any] = {}
    out = list(target)
    formulas: list[Expr | None] = [None] * len(target)
    if any(size is None for size in shape) or None in target:
        return [None if t == -1 else t for t in out], formulas, env
    total = prod(s for s in shape if s is not None)
    known = prod(t for t in target if t is not None and t != -1)
    if -1 not in target:
        if known != total:
            raise ArgError(f"{field} {list(target)} holds {known} elements but {what} {list(shape)} has {total}", field)
        return out, formulas, env
    if total % known:
        raise ArgError(f"{field} {list(target)}: {what} {list(shape)} has {total} elements, not divisible by {known}", field)
    index = list(target).index(-1)
    # Sizes the reshape keeps where they were (ViT's [H, W, C] -> [-1, C]) cancel out of the formula:
    # L_out = H_in·W_in = 48·48, not H_in·W_in·C_in/t_2 = 48·48·384/384.
    lead = 0
    while lead < min(index, len(shape)) and target[lead] == shape[lead]:
        lead += 1
    trail = 0
    while (trail < min(len(target) - index - 1, len(shape) - lead)
           and target[len(target) - 1 - trail] == shape[len(shape) - 1 - trail]):
        trail += 1
    kept_inputs = range(lead, len(shape) - trail)
    if not kept_inputs:  # every input size kept: the -1 is 1, the formula is the plain quotient
        lead = trail = 0
        kept_inputs = range(len(shape))
    env.update((names[i], shape[i]) for i in kept_inputs)
    others = tuple(f"t_{i + 1}" for i, t in enumerate(target) if t != -1 and lead <= i < len(target) - trail)
    env.update({f"t_{i + 1}": t for i, t in enumerate(target) if t != -1 and lead <= i < len(target) - trail})
    formulas[index] = reshape_length(tuple(names[i] for i in kept_inputs), others)
    out[index] = total // known
    return out, formulas, env


def _keras_reshape() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        names = layout_names(len(shape), channels_last=True)
        out, dims, env = _unknown_entry(shape, names, a["target_shape"], "target_shape", "the input")
        return outcome(env, out, dims=dims)

    return LayerKind(Framework.KERAS, "Reshape", "reshape", {**keras_base(), "target_shape": (_target_shape, REQUIRED)}, solve,
                     positional=("target_shape",))


def _keras_permute() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        dims = a["dims"]
        if sorted(dims) != list(range(1, len(shape) + 1)):
            raise ArgError(f"dims {list(dims)} must be a permutation of 1..{len(shape)} (the input's axes, batch excluded)", "dims")
        return outcome({}, [shape[d - 1] for d in dims])

    def permutation(value: object) -> tuple[int, ...]:
        if not isinstance(value, (list, tuple)) or any(isinstance(v, bool) or not isinstance(v, int) for v in value):
            raise ArgError(f"must be a list of axis numbers, got {value!r}")
        return tuple(value)

    return LayerKind(Framework.KERAS, "Permute", "reshape", {**keras_base(), "dims": (permutation, REQUIRED)}, solve,
                     positional=("dims",))


def _keras_repeat_vector() -> LayerKind:
    return LayerKind(Framework.KERAS, "RepeatVector", "reshape", {**keras_base(), "n": (PosInt, REQUIRED)},
                     lambda a, shape: outcome({}, (a["n"], *shape)), positional=("n",), min_rank=1, max_rank=1)


# --- PyTorch -------------------------------------------------------------------------------------


def torch_pads(value: object) -> tuple[int, ...] | int:
    """An int (every side) or an even-length list, last dimension first: (left, right, top, bottom, front, back)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if (not isinstance(value, (list, tuple)) or len(value) not in (2, 4, 6)
            or any(isinstance(v, bool) or not isinstance(v, int) for v in value)):
        raise ArgError(f"must be an integer or a list of 2, 4 or 6 integers (left, right, top, bottom, front, back), got {value!r}")
    return tuple(value)


def _torch_pad(rank: int, constant: bool, mode: str = "Zero") -> LayerKind:
    """ZeroPad/ConstantPad, and the Reflection/Replication/Circular pads: the same sizes, other values."""
    name = f"{'Constant' if constant else mode}Pad{rank}d"
    args: Table = {"padding": (torch_pads, REQUIRED)}
    if constant:
        args["value"] = (Float, REQUIRED)

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        pads = a["padding"]
        flat = (pads,) * (2 * rank) if isinstance(pads, int) else pads
        count = len(flat) // 2
        if count > len(shape):
            raise ArgError(f"padding {list(flat)} pads the last {count} dimensions, but the input {list(shape)} has only "
                           f"{len(shape)} (the batch dimension cannot be padded)", "padding")
        axes = AXES[count]
        pairs = [flat[2 * i:2 * i + 2] for i in range(count)][::-1]  # back to first-axis-first order
        values = [{f"P_{s}": v for s, v in zip(_SIDES[axis.letter], pair, strict=True)} for axis, pair in zip(axes, pairs, strict=True)]
        positions = list(range(len(shape) - count, len(shape)))
        out, dims, env = _resize(shape, axes, positions, values, lambda axis: pad_length(axis, "P", 1))
        return outcome(env, out, dims=dims)

    return LayerKind(Framework.PYTORCH, name, "padding", args, solve, positional=tuple(args), min_rank=1)


_MODE_RANK = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")


def _scales(value: object) -> tuple[float, ...] | float:
    if isinstance(value, (list, tuple)):
        return tuple(_positive_float(v) for v in value)
    return _positive_float(value)


def _positive_float(value: object) -> float:
    number = Float(value)
    if number <= 0:
        raise ArgError(f"must be positive, got {value!r}")
    return number


def _sizes(value: object) -> tuple[int, ...] | int:
    if isinstance(value, (list, tuple)):
        return tuple(PosInt(v) for v in value)
    return int(PosInt(value))


def _upsample(a: Args, shape: Shape, mode: str, align_corners: bool | None) -> LayerOutcome:
    rank = len(shape) - 1
    if mode in _MODE_RANK and _MODE_RANK[mode] != rank:
        raise ArgError(f"mode={mode!r} needs an input with {_MODE_RANK[mode]} spatial dimension(s) (channels first), "
                       f"got shape {list(shape)}", "mode")
    if align_corners is not None and mode not in _INTERPOLATING:
        raise ArgError("align_corners can only be set with the interpolating modes linear, bilinear, bicubic, trilinear", "align_corners")
    size, scale = a["size"], a["scale_factor"]
    if (size is None) == (scale is None):
        raise ArgError("give exactly one of size and scale_factor", "size" if size is not None else "scale_factor")
    given, field = (size, "size") if size is not None else (scale, "scale_factor")
    values = (given,) * rank if not isinstance(given, tuple) else given
    if len(values) != rank:
        raise ArgError(f"{field} {list(values)} has {len(values)} entries but the input has {rank} spatial dimension(s)", field)
    axes = AXES[rank]
    positions = list(range(1, rank + 1))
    if size is not None:
        fixed = {axis.name("size"): v for axis, v in zip(axes, values, strict=True)}
        return outcome(fixed, [shape[0], *values], dims=[None, *(axis.sym("size") for axis in axes)])
    # PyTorch computes ⌊X·s⌋ in floating point; the printed formula uses s as written (a decimal),
    # so for the rare size where double rounding differs (100·0.29 gives 28) no formula is shown.
    env: dict[str, Any] = {}
    out = list(shape)
    formulas: list[Expr | None] = [None] * len(shape)
    for axis, index, factor in zip(axes, positions, values, strict=True):
        exact = Fraction(str(factor))
        env[axis.name("s")] = exact
        size_in = shape[index]
        if size_in is None:
            continue
        out[index] = floor(float(size_in) * factor)
        env[axis.size_in.name] = size_in
        formula = upsample_length(axis, exact.denominator != 1)
        if formula.evaluate(env) == out[index]:
            formulas[index] = formula
    return outcome(env, out, dims=formulas)


def _torch_upsample() -> LayerKind:
    args: Table = {"size": (Opt(_sizes), None), "scale_factor": (Opt(_scales), None),
                   "mode": (Choice("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact"), "nearest"),
                   "align_corners": (Opt(Bool), None), "recompute_scale_factor": (Opt(Bool), None)}
    return LayerKind(Framework.PYTORCH, "Upsample", "reshape", args, lambda a, shape: _upsample(a, shape, a["mode"], a["align_corners"]),
                     positional=("size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"), min_rank=2, max_rank=4)


def _torch_upsampling2d(mode: str) -> LayerKind:
    name = "UpsamplingNearest2d" if mode == "nearest" else "UpsamplingBilinear2d"
    args: Table = {"size": (Opt(_sizes), None), "scale_factor": (Opt(_scales), None)}
    return LayerKind(Framework.PYTORCH, name, "reshape", args,
                     lambda a, shape: _upsample(a, shape, mode, True if mode == "bilinear" else None),
                     positional=("size", "scale_factor"), min_rank=3, max_rank=3)


def _unflattened(value: object) -> tuple[int, ...]:
    if (not isinstance(value, (list, tuple)) or not value
            or any(isinstance(v, bool) or not isinstance(v, int) or (v < 1 and v != -1) for v in value)):
        raise ArgError(f"must be a non-empty list of positive sizes (one may be -1), got {value!r}")
    if list(value).count(-1) > 1:
        raise ArgError(f"may contain at most one -1, got {list(value)}")
    return tuple(value)


def _torch_unflatten() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        index = batched_axis(a["dim"], len(shape), "dim") - 1
        name = layout_names(len(shape), channels_last=False)[index]
        part, dims, env = _unknown_entry(shape[index:index + 1], (name,), a["unflattened_size"], "unflattened_size",
                                         f"dim {a['dim']} of size")
        out = (*shape[:index], *part, *shape[index + 1:])
        return outcome(env, out, dims=[*(None,) * index, *dims, *(None,) * (len(shape) - index - 1)])

    return LayerKind(Framework.PYTORCH, "Unflatten", "reshape", {"dim": (Int, REQUIRED), "unflattened_size": (_unflattened, REQUIRED)},
                     solve, positional=("dim", "unflattened_size"))


R = Sym("r")


@cache
def _pixel_formulas(up: bool) -> tuple[Expr, Expr, Expr]:
    """PixelShuffle: C_in/r^2, r·H_in, r·W_in; PixelUnshuffle: C_in·r^2, H_in/r, W_in/r."""
    c, h, w = Sym("C_in"), Sym("H_in"), Sym("W_in")
    if up:
        return c / R**2, R * h, R * w
    return c * R**2, h / R, w / R


def _torch_pixel(up: bool) -> LayerKind:
    field = "upscale_factor" if up else "downscale_factor"

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        r = a[field]
        lead, (c, h, w) = shape[:-3], shape[-3:]
        if up and c is not None and c % (r * r):
            raise ArgError(f"PixelShuffle needs the channels ({c}) divisible by {field}² = {r * r}", field)
        if not up:
            for label, size in (("height", h), ("width", w)):
                if size is not None and size % r:
                    raise ArgError(f"PixelUnshuffle needs the {label} ({size}) divisible by {field} = {r}", field)
        env: dict[str, Any] = {"r": r}
        out: list[int | None] = []
        dims: list[Expr | None] = []
        for name, size, formula in zip(("C_in", "H_in", "W_in"), (c, h, w), _pixel_formulas(up), strict=True):
            if size is None:
                out.append(None)
                dims.append(None)
                continue
            env[name] = size
            out.append(int(formula.evaluate(env)))
            dims.append(formula)
        return outcome(env, (*lead, *out), dims=[*(None,) * len(lead), *dims])

    return LayerKind(Framework.PYTORCH, "PixelShuffle" if up else "PixelUnshuffle", "reshape", {field: (PosInt, REQUIRED)}, solve,
                     positional=(field,), min_rank=3)


def _torch_channel_shuffle() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        if shape[0] is not None and shape[0] % a["groups"]:
            raise ArgError(f"the input's channels ({shape[0]}) must be divisible by groups ({a['groups']})", "groups")
        return outcome({}, shape)

    return LayerKind(Framework.PYTORCH, "ChannelShuffle", "reshape", {"groups": (PosInt, REQUIRED)}, solve,
                     positional=("groups",), min_rank=2)


for _rank in (1, 2, 3):
    register(_keras_pad_crop(_rank, cropping=False))
    register(_keras_pad_crop(_rank, cropping=True))
    register(_keras_upsampling(_rank))
    register(_torch_pad(_rank, constant=False))
    register(_torch_pad(_rank, constant=True))
    for _mode in ("Reflection", "Replication", "Circular"):
        register(_torch_pad(_rank, constant=False, mode=_mode))
register(_keras_reshape())
register(_keras_permute())
register(_keras_repeat_vector())
register(_torch_upsample())
register(_torch_upsampling2d("nearest"))
register(_torch_upsampling2d("bilinear"))
register(_torch_unflatten())
register(_torch_pixel(up=True))
register(_torch_pixel(up=False))
register(_torch_channel_shuffle())
