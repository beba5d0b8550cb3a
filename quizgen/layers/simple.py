"""Layers that keep the tensor's shape (activations, dropout, noise, identity), PReLU, GLU and embeddings.

Activations, dropout and identity layers: output = input, 0 parameters, 0 MACs. PReLU is the
one activation with weights (Keras: one slope per input element except along shared_axes;
PyTorch: ``num_parameters`` slopes, 1 or one per channel). An embedding is a lookup table of
V·E weights and costs no multiply-adds. Shape-changing layers (padding, cropping, upsampling,
reshaping) live in `shaping`, imported at the end so they register with this family.
"""

from __future__ import annotations

__all__ = ["AnyArguments", "Int", "IntOrInts", "NonNegFloat", "Rate", "batched_axis", "embedding_params"]

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ..formula import Expr, Mul, Num, Sym
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
    Float,
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
from .core import layout_names

Table = dict[str, tuple[Validator, Any]]

# --- validators shared by the simple, shaping and norm layers ----------------------------------


def Int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgError(f"must be an integer, got {value!r}")
    return value


def IntOrInts(value: object) -> tuple[int, ...]:
    """An int or a list of ints (axes), normalized to a tuple."""
    items = [value] if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(items, (list, tuple)) or not items or any(isinstance(v, bool) or not isinstance(v, int) for v in items):
        raise ArgError(f"must be an integer or a non-empty list of integers, got {value!r}")
    return tuple(items)


def Rate(value: object) -> float:
    """A probability (dropout rate, Keras GaussianNoise stddev): a number from 0 to 1."""
    number = Float(value)
    if not 0 <= number <= 1:
        raise ArgError(f"must be a number between 0 and 1, got {value!r}")
    return number


def NonNegFloat(value: object) -> float:
    number = Float(value)
    if number < 0:
        raise ArgError(f"must be a non-negative number, got {value!r}")
    return number


def batched_axis(axis: int, rank: int, field: str, *, allow_batch: bool = False) -> int:
    """An axis of the batched tensor (Keras axis, PyTorch dim) as a non-negative index; 0 is the batch."""
    full = rank + 1
    if not -full <= axis < full:
        raise ArgError(f"{field}={axis} is out of range for an input of rank {full} (batch included): "
                       f"use {-full}..{full - 1}", field)
    index = axis % full
    if index == 0 and not allow_batch:
        raise ArgError(f"{field}={axis} is the batch dimension, which specs exclude; count axes from 1 (or -1 for the last)", field)
    return index


@dataclass(frozen=True, slots=True)
class AnyArguments(LayerKind):
    """torch.nn.Identity takes (and ignores) any arguments."""

    def validate(self, kwargs: Any) -> dict[str, Any]:
        return dict(kwargs)


def keras_base() -> Table:
    return {**keras_common(), "activity_regularizer": (ANY, None)}


def _same(check: Any = None) -> Any:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        if check is not None:
            check(a, shape)
        return outcome({}, shape)

    return solve


def _kind(framework: Framework, name: str, family: str, args: Table, positional: Sequence[str] = (),
          min_rank: int = 1, max_rank: int | None = None, check: Any = None) -> LayerKind:
    return register(LayerKind(framework, name, family, args, _same(check), positional=tuple(positional),
                              min_rank=min_rank, max_rank=max_rank))


# --- Keras: activations, dropout, noise ----------------------------------------------------------


def _keras_axes_check(field: str) -> Any:
    def check(a: Args, shape: Shape) -> None:
        for axis in a[field]:
            batched_axis(axis, len(shape), field, allow_batch=True)

    return check


def _keras_simple() -> None:
    k, base = Framework.KERAS, keras_base()
    _kind(k, "Activation", "activation", {**base, "activation": (ANY, REQUIRED)}, ("activation",))
    _kind(k, "ReLU", "activation", {**base, "max_value": (Opt(NonNegFloat), None), "negative_slope": (NonNegFloat, 0.0),
                                    "threshold": (NonNegFloat, 0.0)}, ("max_value", "negative_slope", "threshold"))
    # Keras 3 renamed LeakyReLU's alpha to negative_slope; alpha still works (with a warning).
    _kind(k, "LeakyReLU", "activation", {**base, "negative_slope": (NonNegFloat, 0.3), "alpha": (Opt(NonNegFloat), None)},
          ("negative_slope",))
    _kind(k, "ELU", "activation", {**base, "alpha": (Float, 1.0)}, ("alpha",))
    _kind(k, "Softmax", "activation", {**base, "axis": (IntOrInts, -1)}, ("axis",), check=_keras_axes_check("axis"))
    _kind(k, "Identity", "activation", base)
    _kind(k, "ActivityRegularization", "activation", {**base, "l1": (NonNegFloat, 0.0), "l2": (NonNegFloat, 0.0)}, ("l1", "l2"))
    _kind(k, "Masking", "activation", {**base, "mask_value": (ANY, 0.0)}, ("mask_value",))
    for name in ("Dropout", "AlphaDropout"):
        _kind(k, name, "dropout", {**base, "rate": (Rate, REQUIRED), "noise_shape": (ANY, None), "seed": (ANY, None)},
              ("rate", "noise_shape", "seed"))
    _kind(k, "GaussianDropout", "dropout", {**base, "rate": (Rate, REQUIRED), "seed": (ANY, None)}, ("rate", "seed"))
    _kind(k, "GaussianNoise", "dropout", {**base, "stddev": (Rate, REQUIRED), "seed": (ANY, None)}, ("stddev", "seed"))
    # SpatialDropoutND takes no **kwargs: only rate, (data_format,) seed, name and dtype.
    for rank in (1, 2, 3):
        args: Table = {"rate": (Rate, REQUIRED), "seed": (ANY, None), "name": (ANY, None), "dtype": (ANY, None)}
        if rank > 1:
            args["data_format"] = DATA_FORMAT
        positional = ("rate", "seed", "name", "dtype") if rank == 1 else ("rate", "data_format", "seed", "name", "dtype")
        _kind(k, f"SpatialDropout{rank}D", "dropout", args, positional, min_rank=rank + 1, max_rank=rank + 1)


@cache
def prelu_params(names: tuple[str, ...]) -> Expr:
    """One slope per element of the non-shared dimensions (1 when every axis is shared)."""
    if not names:
        return Num(1)
    return Sym(names[0]) if len(names) == 1 else Mul(tuple(Sym(n) for n in names))


def _keras_prelu() -> LayerKind:
    args: Table = {**keras_base(), "alpha_initializer": (ANY, "Zeros"), "alpha_regularizer": (ANY, None),
                   "alpha_constraint": (ANY, None), "shared_axes": (Opt(IntOrInts), None)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        rank = len(shape)
        kept = [True] * rank
        for axis in a["shared_axes"] or ():
            # Keras sets param_shape[axis - 1] = 1, with Python indexing: shared_axes=-1 shares the
            # second-to-last axis and 0 the last one (a quirk worth knowing, reproduced exactly).
            if not -rank <= axis - 1 < rank:
                raise ArgError(f"shared_axes: axis {axis} is out of range for an input of rank {rank + 1} (batch included)",
                               "shared_axes")
            kept[axis - 1] = False
        names = layout_names(rank, channels_last=True)
        unknown = [i + 1 for i in range(rank) if kept[i] and shape[i] is None]
        if unknown:
            raise ArgError(f"input axis {unknown[0]} is null (unknown) but PReLU needs one weight per element along it; "
                           f"list it in shared_axes", "shared_axes")
        env = {names[i]: size for i, size in enumerate(shape) if kept[i] and size is not None}
        return outcome(env, shape, trainable=prelu_params(tuple(n for i, n in enumerate(names) if kept[i])))

    return LayerKind(Framework.KERAS, "PReLU", "activation", args, solve,
                     positional=("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"))


V, E = Sym("V"), Sym("E")


@cache
def embedding_params() -> Expr:
    """V·E: one E-dimensional vector per vocabulary entry (a lookup: 0 MACs)."""
    return V * E


def _embedding(vocab: int, dim: int, shape: Shape, frozen: bool = False) -> LayerOutcome:
    env = {"V": vocab, "E": dim}
    if frozen:
        return outcome(env, (*shape, dim), non_trainable=embedding_params())
    return outcome(env, (*shape, dim), trainable=embedding_params())


def _keras_embedding() -> LayerKind:
    args: Table = {**keras_base(), "input_dim": (PosInt, REQUIRED), "output_dim": (PosInt, REQUIRED),
                   "embeddings_initializer": (ANY, "uniform"), "embeddings_regularizer": (ANY, None),
                   "embeddings_constraint": (ANY, None), "mask_zero": (Bool, False), "weights": (ANY, None),
                   "lora_rank": (ANY, None), "lora_alpha": (ANY, None), "quantization_config": (ANY, None)}
    return LayerKind(Framework.KERAS, "Embedding", "embedding", args,
                     lambda a, shape: _embedding(a["input_dim"], a["output_dim"], shape),
                     positional=("input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer",
                                 "embeddings_constraint", "mask_zero", "weights", "lora_rank", "lora_alpha",
                                 "quantization_config"))


# --- PyTorch ---------------------------------------------------------------------------------------

_INPLACE: Table = {"inplace": (Bool, False)}

# name -> (arguments, positional order); every one keeps the shape.
_TORCH_ACTIVATIONS: dict[str, tuple[Table, tuple[str, ...]]] = {
    "ReLU": (_INPLACE, ("inplace",)),
    "ReLU6": (_INPLACE, ("inplace",)),
    "SELU": (_INPLACE, ("inplace",)),
    "SiLU": (_INPLACE, ("inplace",)),
    "Mish": (_INPLACE, ("inplace",)),
    "Hardswish": (_INPLACE, ("inplace",)),
    "Hardsigmoid": (_INPLACE, ("inplace",)),
    "Tanh": ({}, ()),
    "Sigmoid": ({}, ()),
    "Softsign": ({}, ()),
    "LogSigmoid": ({}, ()),
    "Tanhshrink": ({}, ()),
    "LeakyReLU": ({"negative_slope": (Float, 0.01), **_INPLACE}, ("negative_slope", "inplace")),
    "ELU": ({"alpha": (Float, 1.0), **_INPLACE}, ("alpha", "inplace")),
    "CELU": ({"alpha": (Float, 1.0), **_INPLACE}, ("alpha", "inplace")),
    "GELU": ({"approximate": (Choice("none", "tanh"), "none")}, ("approximate",)),
    "Softplus": ({"beta": (Float, 1.0), "threshold": (Float, 20.0)}, ("beta", "threshold")),
    "Softshrink": ({"lambd": (NonNegFloat, 0.5)}, ("lambd",)),
    "Hardshrink": ({"lambd": (Float, 0.5)}, ("lambd",)),
    "Hardtanh": ({"min_val": (Float, -1.0), "max_val": (Float, 1.0), **_INPLACE, "min_value": (Opt(Float), None),
                  "max_value": (Opt(Float), None)}, ("min_val", "max_val", "inplace", "min_value", "max_value")),
    "Threshold": ({"threshold": (Float, REQUIRED), "value": (Float, REQUIRED), **_INPLACE}, ("threshold", "value", "inplace")),
    "RReLU": ({"lower": (Float, 0.125), "upper": (Float, 1 / 3), **_INPLACE}, ("lower", "upper", "inplace")),
}


def _torch_dim_check(a: Args, shape: Shape) -> None:
    if a["dim"] is not None:
        batched_axis(a["dim"], len(shape), "dim", allow_batch=True)


def _torch_simple() -> None:
    t = Framework.PYTORCH
    for name, (args, positional) in _TORCH_ACTIVATIONS.items():
        _kind(t, name, "activation", dict(args), positional)
    for name in ("Softmax", "LogSoftmax", "Softmin"):
        # dim=None makes PyTorch guess the axis (with a warning); the shape is unchanged either way.
        _kind(t, name, "activation", {"dim": (Opt(Int), None)}, ("dim",), check=_torch_dim_check)
    _kind(t, "Softmax2d", "activation", {}, (), min_rank=2, max_rank=3)
    p: Table = {"p": (Rate, 0.5), **_INPLACE}
    for name in ("Dropout", "AlphaDropout", "FeatureAlphaDropout"):
        _kind(t, name, "dropout", p, ("p", "inplace"))
    # DropoutNd: (C, L) / (N, C, L) for 1d; PyTorch reads the rank-lower form as unbatched.
    # Dropout2d also takes (N, C) features: PyTorch runs it with a deprecation warning, and course code
    # does it (pytorch/examples mnist_rnn puts Dropout2d after an LSTM's last step).
    for rank in (1, 2, 3):
        _kind(t, f"Dropout{rank}d", "dropout", p, ("p", "inplace"), min_rank=1 if rank == 2 else rank, max_rank=rank + 1)
    register(AnyArguments(t, "Identity", "activation", {}, _same()))


def _torch_prelu() -> LayerKind:
    args: Table = {"num_parameters": (PosInt, 1), "init": (Float, 0.25), **torch_common()}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        n = a["num_parameters"]
        if n == 1:
            return outcome({}, shape, trainable=prelu_params(()))
        channels = shape[0]  # dim 1 of the batched input
        if channels is not None and channels != n:
            raise ArgError(f"num_parameters={n} must be 1 or the number of input channels ({channels})", "num_parameters")
        return outcome({"C_in": n}, shape, trainable=prelu_params(("C_in",)))

    return LayerKind(Framework.PYTORCH, "PReLU", "activation", args, solve, positional=("num_parameters", "init", "device", "dtype"))


@cache
def _halve(name: str) -> Expr:
    return Sym(name) / 2


def _torch_glu() -> LayerKind:
    def solve(a: Args, shape: Shape) -> LayerOutcome:
        index = batched_axis(a["dim"], len(shape), "dim") - 1
        size = shape[index]
        out = list(shape)
        dims: list[Expr | None] = [None] * len(shape)
        env: dict[str, int] = {}
        if size is not None:
            if size % 2:
                raise ArgError(f"GLU splits dim {a['dim']} in two halves, so its size must be even, got {size}", "dim")
            name = layout_names(len(shape), channels_last=False)[index]
            env[name] = size
            out[index] = size // 2
            dims[index] = _halve(name)
        return outcome(env, out, dims=dims)

    return LayerKind(Framework.PYTORCH, "GLU", "activation", {"dim": (Int, -1)}, solve, positional=("dim",))


def _torch_embedding() -> LayerKind:
    args: Table = {"num_embeddings": (PosInt, REQUIRED), "embedding_dim": (PosInt, REQUIRED), "padding_idx": (Opt(Int), None),
                   "max_norm": (Opt(Float), None), "norm_type": (Float, 2.0), "scale_grad_by_freq": (Bool, False),
                   "sparse": (Bool, False), "_weight": (ANY, None), "_freeze": (Bool, False), **torch_common()}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        n, pad = a["num_embeddings"], a["padding_idx"]
        if pad is not None and not -n <= pad < n:
            raise ArgError(f"padding_idx={pad} must be within num_embeddings ({-n}..{n - 1})", "padding_idx")
        # _freeze=True creates the table with requires_grad=False: still a parameter, not trainable.
        return _embedding(n, a["embedding_dim"], shape, frozen=a["_freeze"])

    return LayerKind(Framework.PYTORCH, "Embedding", "embedding", args, solve,
                     positional=("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                                 "scale_grad_by_freq", "sparse", "_weight", "_freeze", "device", "dtype"))


_keras_simple()
register(_keras_prelu())
register(_keras_embedding())
_torch_simple()
register(_torch_prelu())
register(_torch_glu())
register(_torch_embedding())
