"""Keras wrappers: Bidirectional (a recurrent layer run both ways) and TimeDistributed.

The wrapped layer arrives as a nested single-key mapping, ``{LSTM: {units: 32}}``, exactly as
in the spec; it is checked against the registry (a known Keras kind with valid arguments) and
solved with that kind's own rules. The wrapped outcomes travel in ``LayerOutcome.inner``.

Bidirectional: parameters and MACs are ``D·(inner)`` with D = 2 directions (the backward copy
has the same weights' shapes); with an explicit ``backward_layer`` they are the sum of both,
the backward layer's symbols suffixed ``_bw``. ``merge_mode='concat'`` doubles the last
dimension; sum/mul/ave keep it (merging adds no MACs: elementwise). TimeDistributed applies
the inner layer to every step: parameters are the inner layer's, MACs ``T·(inner MACs)``.
"""

from __future__ import annotations

__all__ = ["nested_layer"]

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..formula import Add, Expr, Mul, Sym, substitute
from ..spec import Framework
from . import get_kind, register, unknown_layer_message
from .base import ANY, REQUIRED, ZERO, ArgError, Args, LayerKind, LayerOutcome, Opt, Shape, Validator, keras_common, outcome

D = Sym("D")
# Wrapper formulas are built from the inner kind's formulas, keyed by their identity (module-level
# constants of each kind), so each combination is built once.
_memo = lru_cache(maxsize=1024)
_RECURRENT_FLAGS = ("go_backwards", "return_sequences")


def _is_recurrent(kind: LayerKind) -> bool:
    return all(flag in kind.args for flag in _RECURRENT_FLAGS)


# Wrappers inside wrappers (TimeDistributed(TimeDistributed(Dense))) are real Keras, but each
# level validates and solves the levels below it again; past a few levels it is a hostile file.
MAX_NESTING = 8


def _nesting(value: object) -> int:
    """How many wrapped layers lie below ``value``, followed without recursion and only as far as the limit."""
    depth = 0
    while isinstance(value, Mapping) and len(value) == 1 and depth <= MAX_NESTING:
        (kwargs,) = value.values()
        if not isinstance(kwargs, Mapping):
            break
        if not isinstance(kwargs.get("layer"), Mapping):  # a backward_layer must be recurrent, never a wrapper
            break
        depth += 1
        value = kwargs["layer"]
    return depth


def nested_layer(framework: Framework, *, recurrent: bool = False) -> Validator:
    """A wrapped layer: a mapping with one known layer name of ``framework`` and its valid arguments."""

    def check(value: object) -> dict[str, dict[str, Any]]:
        if isinstance(value, str):  # "- Flatten" shorthand, as for top-level layers
            value = {value: {}}
        if _nesting(value) >= MAX_NESTING:
            raise ArgError(f"wrapped layers nest more than {MAX_NESTING} levels deep")
        if not isinstance(value, Mapping) or len(value) != 1:
            raise ArgError(f"must be one layer written as a mapping with a single name, like {{LSTM: {{units: 32}}}}, got {value!r}")
        ((name, kwargs),) = value.items()
        kwargs = {} if kwargs is None else kwargs
        kind = get_kind(framework, str(name))
        if kind is None:
            raise ArgError(unknown_layer_message(framework, str(name)))
        if recurrent and not _is_recurrent(kind):
            raise ArgError(f"must be a recurrent layer (SimpleRNN, LSTM, GRU), got {name}")
        if not isinstance(kwargs, Mapping):
            raise ArgError(f"{name}: arguments must be a mapping of keyword arguments, got {kwargs!r}")
        try:
            kind.validate(kwargs)
        except ArgError as error:
            raise ArgError(f"{name}: {error}") from None
        return {str(name): dict(kwargs)}

    return check


def _solve_inner(framework: Framework, spec: Mapping[str, Mapping[str, Any]], shape: Shape,
                 field: str = "layer") -> tuple[dict[str, Any], LayerOutcome]:
    ((name, kwargs),) = spec.items()
    kind = get_kind(framework, name)
    assert kind is not None  # the validator checked it
    try:
        args = kind.validate(kwargs)
        if len(shape) < kind.min_rank or (kind.max_rank is not None and len(shape) > kind.max_rank):
            wanted = str(kind.min_rank) if kind.max_rank == kind.min_rank else f"at least {kind.min_rank}"
            raise ArgError(f"expects an input of rank {wanted} (batch excluded), got shape {list(shape)}")
        result = kind.solve(args, shape)
    except ArgError as error:
        raise ArgError(f"{field} {name}: {error}", field) from None
    return args, result


def _counts(args: Args, result: LayerOutcome) -> tuple[Expr, Expr]:
    """(trainable, non-trainable) formulas; a frozen inner layer (trainable: false) counts all as non-trainable."""
    trainable, frozen = result.trainable.expr, result.non_trainable.expr
    if args.get("trainable") is False:
        return ZERO, trainable if frozen is ZERO else Add((trainable, frozen))
    return trainable, frozen


@_memo
def _scaled(factor: Expr, expr: Expr) -> Expr:
    """factor·expr, flat when expr is a product; 0 stays 0."""
    if expr is ZERO:
        return ZERO
    return Mul((factor, *expr.factors)) if isinstance(expr, Mul) else Mul((factor, expr))


@_memo
def _backward(expr: Expr) -> Expr:
    """The backward layer's formula with its symbols suffixed _bw, so both directions share one env."""
    return substitute(expr, {name: Sym(f"{name}_bw") for name in expr.free_symbols()})


@_memo
def _sum(first: Expr, second: Expr) -> Expr:
    if second is ZERO:
        return first
    return second if first is ZERO else Add((first, second))


def _merge_mode(value: object) -> str:
    if value is None:
        raise ArgError("merge_mode=None makes Bidirectional return two separate outputs (forward, backward); "
                       "a layer stack has one output: use 'concat', 'sum', 'mul' or 'ave'")
    if not isinstance(value, str) or value.lower() not in ("concat", "sum", "mul", "ave"):
        raise ArgError(f"must be one of 'concat', 'sum', 'mul', 'ave', got {value!r}")
    return value.lower()


def _bidirectional() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {
        **keras_common(),
        "layer": (nested_layer(Framework.KERAS, recurrent=True), REQUIRED),
        "merge_mode": (_merge_mode, "concat"),
        "weights": (ANY, None),  # initial weight values
        "backward_layer": (Opt(nested_layer(Framework.KERAS, recurrent=True)), None),
    }

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        fw_args, fw = _solve_inner(Framework.KERAS, a["layer"], shape)
        fw_t, fw_n = _counts(fw_args, fw)
        env: dict[str, Any] = {**fw.env, "D": 2}
        if a["backward_layer"] is None:
            if fw_args["go_backwards"]:
                # Keras 3 builds the backward copy with go_backwards=True whatever the layer says,
                # then refuses two layers running the same way.
                raise ArgError("layer has go_backwards=True, but Keras builds the backward copy with go_backwards=True "
                               "as well and rejects two layers running the same way; drop go_backwards or give a "
                               "backward_layer", "layer")
            inner: tuple[LayerOutcome, ...] = (fw,)
            trainable, non_trainable = _scaled(D, fw_t), _scaled(D, fw_n)
            macs = _scaled(D, fw.macs.expr) if fw.macs is not None else None
        else:
            bw_args, bw = _solve_inner(Framework.KERAS, a["backward_layer"], shape, "backward_layer")
            _check_backward(fw_args, bw_args, fw, bw, a["merge_mode"])
            bw_t, bw_n = _counts(bw_args, bw)
            env.update({f"{name}_bw": value for name, value in bw.env.items()})
            inner = (fw, bw)
            trainable, non_trainable = _sum(fw_t, _backward(bw_t)), _sum(fw_n, _backward(bw_n))
            macs = _sum(fw.macs.expr, _backward(bw.macs.expr)) if fw.macs is not None and bw.macs is not None else None
        out = list(fw.output_shape)
        dims: list[Expr | None] = [None] * len(out)
        if a["merge_mode"] == "concat":
            # Keras sizes the merged output as twice the forward layer's (see _check_backward).
            out[-1] = 2 * out[-1] if out[-1] is not None else None
            last = fw.dims[-1]
            dims[-1] = _scaled(D, last.expr) if last is not None else None
        return outcome(env, out, trainable=trainable, non_trainable=non_trainable, macs=macs, dims=dims, inner=inner)

    return LayerKind(Framework.KERAS, "Bidirectional", "rnn", args, solve,
                     positional=("layer", "merge_mode", "weights", "backward_layer"), min_rank=2)


def _check_backward(fw_args: Args, bw_args: Args, fw: LayerOutcome, bw: LayerOutcome, merge_mode: str) -> None:
    if fw_args["go_backwards"] == bw_args["go_backwards"]:
        raise ArgError(f"backward_layer must run the other way: set go_backwards={not fw_args['go_backwards']} "
                       "(the forward layer has go_backwards="
                       f"{fw_args['go_backwards']})", "backward_layer")
    for flag in ("stateful", "return_sequences", "return_state"):
        if fw_args[flag] != bw_args[flag]:
            raise ArgError(f"backward_layer must have the same {flag} as layer ({fw_args[flag]}), got {bw_args[flag]}",
                           "backward_layer")
    if fw.output_shape != bw.output_shape:
        # Keras 3 computes the merged shape from the forward layer alone (concat: twice its
        # size), so a narrower backward layer yields a model whose next layer is mis-sized.
        raise ArgError(f"backward_layer must output the same shape as layer ({list(fw.output_shape)}), got "
                       f"{list(bw.output_shape)}: Keras sizes the merged output ({merge_mode}) from the forward layer alone",
                       "backward_layer")


@_memo
def _steps_macs(name: str, expr: Expr) -> Expr:
    return _scaled(Sym(name), expr)


def _time_distributed() -> LayerKind:
    args: dict[str, tuple[Validator, Any]] = {**keras_common(), "layer": (nested_layer(Framework.KERAS), REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        steps, rest = shape[0], shape[1:]
        inner_args, inner = _solve_inner(Framework.KERAS, a["layer"], rest)
        trainable, non_trainable = _counts(inner_args, inner)
        # T counts the wrapper's steps; a nested TimeDistributed already uses T, so number the next one.
        name = next(n for n in ("T", *(f"T_{i}" for i in range(2, 99))) if n not in inner.env)
        env: dict[str, Any] = dict(inner.env)
        macs = None
        if steps is not None:
            env[name] = steps
            macs = _steps_macs(name, inner.macs.expr) if inner.macs is not None else None
        dims = (None, *(d.expr if d is not None else None for d in inner.dims))
        return outcome(env, (steps, *inner.output_shape), trainable=trainable, non_trainable=non_trainable,
                       macs=macs, dims=dims, inner=(inner,))

    return LayerKind(Framework.KERAS, "TimeDistributed", "reshape", args, solve, positional=("layer",), min_rank=2)


register(_bidirectional())
register(_time_distributed())
