"""What every layer kind provides, and the argument validators they share.

A layer kind is the framework's own class (``keras.layers.Conv2D``, ``torch.nn.Conv2d``):
its accepted keyword arguments with validators and defaults, and one ``solve`` that maps
validated arguments plus the incoming shape to a `LayerOutcome` — the output shape and
the bound formulas for parameters and MACs. Formulas are module-level `Expr` objects built
once; ``solve`` only binds numbers.
"""

from __future__ import annotations

__all__ = [
    "ANY",
    "DATA_FORMAT",
    "REQUIRED",
    "ZERO",
    "ArgError",
    "Args",
    "Bool",
    "Choice",
    "Float",
    "Ints",
    "LayerKind",
    "LayerOutcome",
    "NonNegInt",
    "Opt",
    "PosInt",
    "Shape",
    "Validator",
    "channels_first",
    "keras_common",
    "outcome",
    "torch_common",
]

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..formula import Bound, Expr, Num, Value, bind
from ..spec import Framework

Shape = tuple[int | None, ...]
Validator = Callable[[Any], Any]
ZERO: Expr = Num(0)


class ArgError(ValueError):
    """Raised by validators and solvers; the solver adds the layer index, type and file line."""

    def __init__(self, message: str, field_name: str | None = None) -> None:
        super().__init__(message)
        self.field_name = field_name


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


def _describe(value: object) -> str:
    return repr(value) if not isinstance(value, (list, tuple)) else str(list(value))


def PosInt(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ArgError(f"must be a positive integer, got {_describe(value)}")
    return value


def NonNegInt(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ArgError(f"must be a non-negative integer, got {_describe(value)}")
    return value


def Bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ArgError(f"must be true or false, got {_describe(value)}")
    return value


def Float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArgError(f"must be a number, got {_describe(value)}")
    return float(value)


def ANY(value: object) -> object:
    """Arguments that change no count or shape (activation, initializers, names, ...)."""
    return value


def Choice(*options: str) -> Validator:
    def check(value: object) -> str:
        if not isinstance(value, str) or value.lower() not in options:
            raise ArgError(f"must be one of {', '.join(repr(o) for o in options)}, got {_describe(value)}")
        return value.lower()

    return check


def Opt(inner: Validator) -> Validator:
    """``None`` or whatever ``inner`` accepts."""

    def check(value: object) -> object:
        return None if value is None else inner(value)

    return check


def Ints(n: int, minimum: int = 1) -> Validator:
    """An int or a list of ``n`` ints (each >= minimum), normalized to an n-tuple."""
    what = "positive" if minimum == 1 else "non-negative" if minimum == 0 else f">= {minimum}"

    def check(value: object) -> tuple[int, ...]:
        items = [value] * n if isinstance(value, int) and not isinstance(value, bool) else value
        if (
            not isinstance(items, (list, tuple))
            or len(items) != n
            or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in items)
        ):
            raise ArgError(f"must be a {what} integer or a list of {n} {what} integers, got {_describe(value)}")
        return tuple(items)

    return check


Args = Mapping[str, Any]

# Keras' data_format argument (None means channels_last); `channels_first` reads it.
DATA_FORMAT: tuple[Validator, Any] = (Opt(Choice("channels_last", "channels_first")), None)


@dataclass(frozen=True, slots=True)
class LayerOutcome:
    """One layer solved: shapes, bound formulas and the bindings mistakes are evaluated on."""

    output_shape: Shape
    trainable: Bound
    non_trainable: Bound
    macs: Bound | None  # None when a null (unknown) dimension makes the count unknown
    dims: tuple[Bound | None, ...]  # how each output dimension was computed (None: passed through)
    env: Mapping[str, Value]
    resolved: Mapping[str, Any] = field(default_factory=dict)  # arguments inferred from the input
    inner: tuple[LayerOutcome, ...] = ()  # wrapped layers (Bidirectional, TimeDistributed)


def outcome(
    env: Mapping[str, Value],
    output_shape: Sequence[int | None],
    *,
    trainable: Expr = ZERO,
    non_trainable: Expr = ZERO,
    macs: Expr | None = ZERO,
    dims: Sequence[Expr | None] | None = None,
    resolved: Mapping[str, Any] | None = None,
    inner: tuple[LayerOutcome, ...] = (),
) -> LayerOutcome:
    env = dict(env)  # one frozen snapshot shared by every Bound of this layer
    bound_dims = tuple([bind(d, env) if d is not None else None for d in dims]) if dims else (None,) * len(output_shape)
    return LayerOutcome(tuple(output_shape), bind(trainable, env), bind(non_trainable, env),
                        bind(macs, env) if macs is not None else None, bound_dims, env, dict(resolved) if resolved else {}, inner)


SolveFn = Callable[[Args, Any], LayerOutcome]  # (args, shape) or, for several inputs, (args, shapes)


@dataclass(frozen=True, slots=True)
class LayerKind:
    """A framework layer class: its arguments and how to solve it."""

    framework: Framework
    name: str
    family: str  # conv, pooling, norm, dense, reshape, activation, dropout, padding, rnn, attention, embedding
    args: Mapping[str, tuple[Validator, Any]]  # name -> (validator, default or REQUIRED)
    solve: SolveFn
    positional: tuple[str, ...] = ()  # the real signature's positional order (for model code)
    min_rank: int = 1  # input rank (batch excluded) the layer accepts
    max_rank: int | None = None
    # How many inputs a call takes. A kind whose max_inputs is not 1 (merges, attention) is
    # solved with the tuple of every input's shape instead of one shape.
    min_inputs: int = 1
    max_inputs: int | None = 1
    # Every argument's validated default (REQUIRED where one must be given) in `args` order, and the names
    # of the required ones, made at the first `validate`: a Keras Conv2D has 21 arguments and a spec gives
    # three or four of them.
    _defaults: tuple[dict[str, Any], tuple[str, ...]] | None = field(default=None, init=False, repr=False, compare=False)

    def validate(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """Check names and types, fill defaults. Raises ArgError naming the field.

        The given arguments are checked over a copy of the checked defaults; anything wrong (an unknown or
        missing argument, a value refused) goes through `_validate_in_order`, which raises the error it
        always raised: the first one in the order of `args`.
        """
        found = self._defaults
        if found is None:
            found = self._checked_defaults()
        defaults, required = found
        if defaults is _IN_ORDER:
            return self._validate_in_order(kwargs)
        values = dict(defaults)
        args = self.args
        try:
            for name, given in kwargs.items():
                values[name] = args[name][0](given)
        except Exception:  # whatever it is, the in-order check raises what it always raised (perhaps another error first)
            return self._validate_in_order(kwargs)
        for name in required:
            if values[name] is REQUIRED:
                return self._validate_in_order(kwargs)
        return values

    def _checked_defaults(self) -> tuple[dict[str, Any], tuple[str, ...]]:
        defaults: dict[str, Any] = {}
        for name, (check, default) in self.args.items():
            if default is REQUIRED or default is None:
                defaults[name] = default
                continue
            try:
                checked = check(default)
            except Exception:  # raised again at each call by the in-order check, as it always was
                checked = _IN_ORDER
            # Shared by every call's result: only values nothing can change are kept.
            defaults[name] = checked if _immutable(checked) else _IN_ORDER
        if any(value is _IN_ORDER for value in defaults.values()):
            defaults = _IN_ORDER  # checked at each call, as always (no kind has such a default today)
        found = (defaults, tuple(name for name, (_, default) in self.args.items() if default is REQUIRED))
        object.__setattr__(self, "_defaults", found)
        return found

    def _validate_in_order(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        unknown = [name for name in kwargs if name not in self.args]
        if unknown:
            import difflib

            name = unknown[0]
            close = difflib.get_close_matches(name, list(self.args), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ArgError(f"unknown argument {name!r}{hint}", name)
        values: dict[str, Any] = {}
        for name, (check, default) in self.args.items():
            if name in kwargs:
                try:
                    values[name] = check(kwargs[name])
                except ArgError as error:
                    raise ArgError(f"{name}: {error}", name) from None
            elif default is REQUIRED:
                raise ArgError(f"missing required argument {name!r}", name)
            else:
                values[name] = check(default) if default is not None else None
        return values


_IN_ORDER: dict[str, Any] = {}  # by identity: a kind whose defaults are checked at each call


def _immutable(value: object) -> bool:
    if type(value) is tuple:
        return all(_immutable(item) for item in value)
    return value is None or type(value) in (bool, int, float, str)


# Arguments every Keras layer accepts that change no count or shape. `trainable` does
# change counts (all weights become non-trainable); the solver applies it generically.
_KERAS_BASE = ("name", "dtype", "autocast", "input_dim", "input_length", "batch_size", "batch_input_shape")
_KERAS_WEIGHTS = (
    "activation",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
    "lora_rank",
    "lora_alpha",
    "quantization_config",
)


def keras_common(*, weights: bool = False) -> dict[str, tuple[Validator, Any]]:
    names = _KERAS_BASE + (_KERAS_WEIGHTS if weights else ())
    table: dict[str, tuple[Validator, Any]] = dict.fromkeys(names, (ANY, None))
    table["trainable"] = (Bool, True)
    table["input_shape"] = (ANY, None)  # legacy first-layer argument; the spec's input_shape wins
    return table


def torch_common() -> dict[str, tuple[Validator, Any]]:
    return {"device": (ANY, None), "dtype": (ANY, None)}


def channels_first(args: Args) -> bool:
    """Keras layers default to channels_last unless data_format says otherwise."""
    return args.get("data_format") == "channels_first"
