"""How a mistake turns into a wrong value: an alteration of the right computation.

A mistake is a named misconception. Applied to one quantity of one solved layer (its
parameters, MACs, one output dimension, the whole output shape), it yields `Alteration`s:
re-solve the layer with some arguments changed (stride ignored → strides=1), bind other
numbers (input channels forgotten → C_in=1), or compute with a rewritten formula (floor
read as ceil). Alterations of two mistakes merge, so pairs of mistakes come for free.
"""

from __future__ import annotations

__all__ = ["DROP", "Alteration", "Context", "Mistake", "Outcome", "Quantity", "Working", "evaluate", "evaluate_lazily",
           "evaluate_unprinted", "replace_with", "rewritten", "working_text"]

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import QuizgenError
from ..formula import Add, Expr, Mul, Num, Value, render_shaped
from ..layers.base import ArgError, LayerOutcome
from ..solver import LayerSolution, ModelSolution, solve_layer
from ..spec import LayerSpec


@dataclass(frozen=True, slots=True)
class Quantity:
    """What a question asks about a layer: params, trainable, non_trainable, macs, flops, dim, shape."""

    kind: str
    axis: int | None = None  # for "dim": the index into the output shape


@dataclass(frozen=True, slots=True)
class Context:
    layer: LayerSolution
    quantity: Quantity
    model: ModelSolution
    # Re-solved layers by changed arguments: a pair of mistakes often re-solves what a single did.
    resolved: dict[str, LayerOutcome | None] = field(default_factory=dict, compare=False)
    # Also worked out once per question for its pairs: an outcome's formula for the quantity, by the
    # outcome's id (each entry keeps its outcome, so an id is never reused).
    formulas: dict[int, tuple[LayerOutcome, tuple[Expr, dict[str, Value]] | None]] = field(default_factory=dict, compare=False)
    # The layer's numbers, read some 40 times a question by the catalogue's conditions (held, not looked up).
    env: Mapping[str, Value] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "env", self.layer.outcome.env)

    def formula(self, result: LayerOutcome) -> tuple[Expr, dict[str, Value]] | None:
        """`quantity_formula` of ``result`` for this question's quantity (its env must not be changed)."""
        found = self.formulas.get(id(result))
        if found is None:
            found = self.formulas[id(result)] = (result, quantity_formula(result, self.quantity))
        return found[1]

    @property
    def previous(self) -> LayerSolution | None:
        """The layer that produced this one's (first) input; None for a model input."""
        if self.layer.inputs:
            ref = self.layer.inputs[0]
            return next((layer for layer in self.model.layers if layer.name == ref), None)
        return self.model.layers[self.layer.index - 1] if self.layer.index > 0 else None


Rewrite = Callable[[Expr], Expr | None]  # None: the rewrite does not apply to this formula


# Rewrites worked out once a run (issue 15), by the rewrite's and the formula's ids: a layer kind's
# formulas are written once (conv_params is cached) and the catalogue's rewrites are functions or cached
# by their structure, so 2401 Conv2D questions rewrite the same few formulas. A rewrite is a function of
# the formula alone. Each entry keeps both objects, so their ids are never reused while it lives.
_REWRITTEN: dict[tuple[int, int], tuple[Rewrite, Expr, Expr | None]] = {}
_REWRITTEN_MAX = 4096  # a question's own closures (a channel count inside) must not pile up


def rewritten(rewrite: Rewrite, expr: Expr) -> Expr | None:
    """``rewrite(expr)``, worked out once for the same rewrite and formula."""
    key = (id(rewrite), id(expr))
    found = _REWRITTEN.get(key)
    if found is None:
        if len(_REWRITTEN) >= _REWRITTEN_MAX:
            _REWRITTEN.clear()
        found = _REWRITTEN[key] = (rewrite, expr, rewrite(expr))
    return found[2]


def replace_with(wrong: Expr) -> Rewrite:
    """A rewrite that ignores the right formula: the student wrote another one altogether."""
    return lambda _right: wrong


@dataclass(frozen=True, slots=True)
class Alteration:
    args: Mapping[str, Any] = field(default_factory=dict)  # re-solve with these arguments (DROP removes one)
    as_type: str | None = None  # re-solve as another layer type (a transposed conv as a conv)
    env: Mapping[str, Value] = field(default_factory=dict)  # then bind these numbers instead
    rewrite: Rewrite | None = None  # or compute with a rewritten formula
    shape: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None  # for shape answers (channel order)
    value: Value | list[int | None] | None = None  # a value computed outright (totals, "counted as params", a shape)
    working: str | None = None  # the shown working for an outright value
    note: Mapping[str, str] = field(default_factory=dict)  # extra words for the explanation, by language


@dataclass(frozen=True, slots=True)
class Mistake:
    code: str
    rank: int  # lower = more common; orders codes that share a value
    title: Mapping[str, str]
    reason: Mapping[str, str]  # str.format template over the layer env and context words
    quantities: frozenset[str]
    alter: Callable[[Context], Sequence[Alteration]]


@dataclass(frozen=True, slots=True)
class Outcome:
    value: Any
    working: str  # the wrong computation with the numbers, e.g. "63·(3·3 + 1)"


# The changes of one or more alterations together: arguments, layer type, numbers, rewrites in turn,
# shape change, and the outright alteration (which combines with nothing).
_Combined = tuple[Mapping[str, Any], str | None, Mapping[str, Value], tuple[Rewrite, ...],
                  Callable[[tuple[Any, ...]], tuple[Any, ...]] | None, Alteration | None]


def _combine(alterations: Sequence[Alteration]) -> _Combined | None:
    """What the alterations change together, or None when they conflict (two values for one argument or
    number, two shape changes or layer types, an outright value with anything else)."""
    if len(alterations) == 1:  # nothing to combine: a single mistake applies as it is
        a = alterations[0]
        return (a.args, a.as_type, a.env, () if a.rewrite is None else (a.rewrite,), a.shape,
                a if a.value is not None else None)
    args: dict[str, Any] = {}
    env: dict[str, Value] = {}
    rewrites: list[Rewrite] = []
    as_type: str | None = None
    shape: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    for a in alterations:
        if a.value is not None:
            return None  # an outright value does not combine with another change
        for key, value in a.args.items():
            if args.get(key, value) != value:
                return None
            args[key] = value
        for key, value in a.env.items():
            if env.get(key, value) != value:
                return None
            env[key] = value
        if a.rewrite is not None:
            rewrites.append(a.rewrite)
        if a.shape is not None:
            if shape is not None:
                return None
            shape = a.shape
        if a.as_type is not None:
            if as_type is not None and as_type != a.as_type:
                return None
            as_type = a.as_type
    return args, as_type, env, tuple(rewrites), shape, None


def _merge(alterations: Sequence[Alteration]) -> Alteration | None:
    """The alterations as one (see `_combine`); a single one is returned as it is."""
    if len(alterations) == 1:
        return alterations[0]
    combined = _combine(alterations)
    if combined is None:
        return None
    args, as_type, env, rewrites, shape, _ = combined

    def chain(expr: Expr) -> Expr | None:
        for rewrite in rewrites:
            changed = rewrite(expr)
            if changed is None:
                return None
            expr = changed
        return expr

    return Alteration(args, as_type, env, chain if rewrites else None, shape)


def _resolve(ctx: Context, args: Mapping[str, Any], as_type: str | None) -> LayerOutcome | None:
    if not args and as_type is None:
        return ctx.layer.outcome
    spec_layer = ctx.model.spec.layers[ctx.layer.index]
    kwargs = {**spec_layer.kwargs, **ctx.layer.outcome.resolved, **args}
    kwargs = {k: v for k, v in kwargs.items() if v is not DROP}
    try:
        layer = LayerSpec(as_type or spec_layer.type, kwargs)
        _, _, result = solve_layer(ctx.model.spec.framework, layer, ctx.layer.input_shape, ctx.layer.index,
                                   shapes=ctx.layer.input_shapes or None)
    except (QuizgenError, ArgError):
        return None
    return result


DROP: Any = object()  # an argument value meaning "remove this argument"


def quantity_formula(result: LayerOutcome, quantity: Quantity, trainable_frozen: bool = False) -> tuple[Expr, dict[str, Value]] | None:
    env = {**result.env, **result.trainable.env, **result.non_trainable.env}
    if quantity.kind == "params":
        parts = [b.expr for b in (result.trainable, result.non_trainable) if not (isinstance(b.expr, Num) and b.expr.value == 0)]
        expr: Expr = parts[0] if len(parts) == 1 else Add(tuple(parts)) if parts else Num(0)
        return expr, env
    if quantity.kind in ("trainable", "non_trainable"):
        bound = result.trainable if quantity.kind == "trainable" else result.non_trainable
        return bound.expr, {**result.env, **bound.env}
    if quantity.kind in ("macs", "flops"):
        if result.macs is None:
            return None
        macs = result.macs.expr
        return (Mul((Num(2), macs)) if quantity.kind == "flops" else macs), {**result.env, **result.macs.env}
    if quantity.kind == "dim" and quantity.axis is not None:
        dim = result.dims[quantity.axis] if quantity.axis < len(result.dims) else None
        return (dim.expr, {**result.env, **dim.env}) if dim is not None else None
    return None


def _render(expr: Expr, env: Mapping[str, Value], overridden: Mapping[str, Value]) -> str:
    # A symbol forced to 1 (a forgotten factor) disappears from the shown working: 63·(3·3 + 1).
    if not overridden:
        return render_shaped(expr, env, _NO_ONES)
    return render_shaped(expr, env, frozenset([name for name, value in overridden.items() if value == 1]))


_NO_ONES: frozenset[str] = frozenset()


def evaluate(ctx: Context, alterations: Sequence[Alteration]) -> Outcome | None:
    """The wrong value the combined alterations give, or None when they do not apply together."""
    found = evaluate_unprinted(ctx, alterations)
    return None if found is None else Outcome(found[0], working_text(found[1]))


def evaluate_lazily(ctx: Context, alterations: Sequence[Alteration]) -> tuple[Any, Callable[[], str]] | None:
    """`evaluate`, with the working printed only when asked for."""
    found = evaluate_unprinted(ctx, alterations)
    if found is None:
        return None
    working = found[1]
    return found[0], lambda: working_text(working)


# A working before it is printed: its text, or the formula with its numbers and the numbers an
# alteration overrode (`_render`'s arguments).
Working = str | tuple[Expr, Mapping[str, Value], Mapping[str, Value]]


def working_text(working: Working) -> str:
    return working if isinstance(working, str) else _render(*working)


def evaluate_unprinted(ctx: Context, alterations: Sequence[Alteration]) -> tuple[Any, Working] | None:
    """`evaluate` with the working left unprinted: of the wrong values a question's mistakes give, over
    a third repeat another's (the likelier mistake's working is the one shown), so only those are printed."""
    combined = _combine(alterations)
    if combined is None:
        return None
    args, as_type, overridden, rewrites, shape, outright = combined
    if outright is not None:
        return outright.value, outright.working or str(outright.value)
    if not args and as_type is None:
        result: LayerOutcome | None = ctx.layer.outcome  # most mistakes re-solve nothing
    else:
        key = repr((sorted(args.items(), key=lambda item: item[0]), as_type))
        if key not in ctx.resolved:
            ctx.resolved[key] = _resolve(ctx, args, as_type)
        result = ctx.resolved[key]
    if result is None:
        return None
    if ctx.quantity.kind == "shape":
        return _evaluate_shape(result, overridden, rewrites, shape)
    found = ctx.formula(result)
    if found is None:
        return None
    expr, env = found
    for rewrite in rewrites:
        changed = rewritten(rewrite, expr)
        if changed is None:
            return None
        expr = changed
    if overridden:
        env = {**env, **overridden}
    try:
        value = expr.evaluate(env)
    except (KeyError, ZeroDivisionError):
        return None
    return value, (expr, env, overridden)


def _evaluate_shape(result: LayerOutcome, overridden: Mapping[str, Value], rewrites: tuple[Rewrite, ...],
                    change: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None) -> tuple[list[Any], str] | None:
    dims: list[Any] = []
    for size, bound in zip(result.output_shape, result.dims, strict=True):
        if bound is None or (not rewrites and not overridden):
            dims.append(size)
            continue
        expr = bound.expr
        for rewrite in rewrites:  # a dimension the rewrites do not apply to keeps its formula
            changed = rewritten(rewrite, expr)
            if changed is None:
                expr = bound.expr
                break
            expr = changed
        env = {**bound.env, **overridden}
        try:
            dims.append(int(expr.evaluate(env)))
        except (KeyError, ZeroDivisionError):
            return None
    shape = tuple(dims)
    if change is not None:
        shape = change(shape)
    return list(shape), "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"
