"""Cheaper solving (issue 15): a Bound works its value out when first read, and a kind checks its
defaults once. Both must give exactly what the eager bind and the argument-by-argument check gave."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_formula_render_with_ones import NAMES, formulas

from quizgen.formula import Add, Bound, Env, Expr, Mul, Neg, Num, Sym, Value, bind
from quizgen.layers import all_kinds
from quizgen.layers.base import REQUIRED, ArgError, LayerKind, LayerOutcome, PosInt, outcome
from quizgen.solver import solve
from quizgen.spec import Framework, parse_spec

EVALUATED: list[str] = []


class CountedSym(Sym):
    """A symbol that records each evaluation (a real node of the tree, not a stand-in)."""

    def evaluate(self, env: Env) -> Value:
        EVALUATED.append(self.name)
        return super().evaluate(env)


def _eager(expr: Expr, env: dict[str, Any]) -> Bound:
    return Bound(expr, env, expr.evaluate(env))


def test_a_bound_evaluates_its_formula_once_when_its_value_is_first_read() -> None:
    EVALUATED.clear()
    bound = bind(Mul((CountedSym("x"), Num(2))), {"x": 3})
    assert EVALUATED == []
    assert bound.value == 6
    assert bound.value == 6
    assert bound.steps() == "x·2 = 3·2 = 6"
    assert EVALUATED == ["x"]


def test_a_formula_that_cannot_be_evaluated_fails_when_read_and_every_time() -> None:
    bound = bind(Sym("x"), {})  # binding alone does not evaluate
    for _ in range(2):
        with pytest.raises(KeyError, match="no value bound for symbol x"):
            _ = bound.value
    with pytest.raises(AttributeError, match="no attribute 'valeu'"):
        _ = bound.valeu  # type: ignore[attr-defined]


@settings(max_examples=300, deadline=None)
@given(formulas, st.fixed_dictionaries(dict.fromkeys(NAMES, st.one_of(st.integers(-5, 300), st.just(Fraction(3, 4))))))
def test_a_lazy_bound_is_the_eager_one(expr: Expr, env: dict[str, Any]) -> None:
    assume("Pow(" not in repr(expr))  # a power of a power of 300 has millions of digits
    try:
        eager = _eager(expr, env)
    except (ZeroDivisionError, ValueError, OverflowError):
        assume(False)
        return
    lazy = bind(expr, env)
    assert lazy == eager and eager == lazy
    assert repr(lazy) == repr(eager)
    assert lazy.value == eager.value and type(lazy.value) is type(eager.value)
    assert lazy.steps() == eager.steps()
    for unread in (bind(expr, env), lazy):  # pickled before and after its value was read
        for back in (pickle.loads(pickle.dumps(unread)), copy.copy(unread), copy.deepcopy(unread)):  # noqa: S301 - our own bytes
            assert back.value == eager.value and back.steps() == eager.steps() and back.env == env
    assert dataclasses.replace(bind(expr, env), env=env) == eager


def test_a_bound_stays_frozen_and_unhashable_like_the_dataclass_it_was() -> None:
    bound = bind(Sym("x"), {"x": 1})
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.value = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        bound.env = {}  # type: ignore[misc]
    with pytest.raises(TypeError, match="unhashable"):
        hash(bound)
    assert [f.name for f in dataclasses.fields(Bound)] == ["expr", "env", "value"]


def test_solving_binds_every_count_and_dimension_without_evaluating_them() -> None:
    model = solve(parse_spec({"framework": "keras", "input_shape": [32, 32, 3], "layers": [{"Conv2D": {"filters": 8, "kernel_size": 3}}]}))
    layer = model.layers[0]
    unread = vars(Bound)["value"]
    bounds = [layer.trainable, layer.non_trainable, layer.outcome.macs, *(d for d in layer.outcome.dims if d is not None)]
    for bound in bounds:
        with pytest.raises(AttributeError):
            unread.__get__(bound)  # the slot is still empty
    assert layer.output_shape == (30, 30, 8)  # the shape itself was worked out
    assert [b.value for b in bounds] == [224, 0, 30 * 30 * 8 * 3 * 3 * 3, 30, 30]


# --- validate -----------------------------------------------------------------------------------

VALUES = [None, 0, 1, 2, 3, -1, 16, True, False, 0.5, "same", "valid", "causal", "channels_first", "relu", "zeros", "x",
          [2, 2], [1, 3], [3, 3, 3], [0, 1], [[1, 1], [2, 2]], {"Dense": {"units": 4}}]
KINDS = [kind for kind in all_kinds() if type(kind).validate is LayerKind.validate]  # not torch.nn.Identity's own


def _outcome(kind: LayerKind, kwargs: dict[str, Any]) -> tuple[str, Any]:
    try:
        values = kind.validate(kwargs)
    except ArgError as error:
        return "error", (str(error), error.field_name)
    return "values", (list(values.items()))


def _in_order(kind: LayerKind, kwargs: dict[str, Any]) -> tuple[str, Any]:
    try:
        values = kind._validate_in_order(kwargs)
    except ArgError as error:
        return "error", (str(error), error.field_name)
    return "values", (list(values.items()))


@st.composite
def kind_and_arguments(draw: st.DrawFn) -> tuple[LayerKind, dict[str, Any]]:
    kind = draw(st.sampled_from(KINDS))
    names = [*kind.args, "bogus", "filter"]
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=6))
    required = [name for name, (_, default) in kind.args.items() if default is REQUIRED and draw(st.booleans())]
    kwargs = {name: draw(st.sampled_from(VALUES)) for name in [*chosen, *(r for r in required if r not in chosen)]}
    return kind, kwargs


@settings(max_examples=1500, deadline=None)
@given(kind_and_arguments())
def test_validate_gives_the_values_and_the_error_of_the_in_order_check(case: tuple[LayerKind, dict[str, Any]]) -> None:
    kind, kwargs = case
    assert _outcome(kind, kwargs) == _in_order(kind, kwargs)


def test_every_kind_validates_its_required_arguments_alone_as_before() -> None:
    for kind in KINDS:
        kwargs = {name: 2 for name, (_, default) in kind.args.items() if default is REQUIRED}
        assert _outcome(kind, kwargs) == _in_order(kind, kwargs), kind.name


def test_the_first_argument_in_order_decides_the_error_whatever_a_later_one_raises() -> None:
    def crashes(value: object) -> object:
        raise TypeError("a validator that crashes")

    kind = LayerKind(Framework.KERAS, "Order", "test", {"first": (PosInt, 1), "second": (crashes, None)}, _solve_nothing)
    with pytest.raises(ArgError, match=r"^first: must be a positive integer, got 0$"):
        kind.validate({"second": 1, "first": 0})  # the given order would meet the crash first
    with pytest.raises(TypeError, match="a validator that crashes"):
        kind.validate({"second": 1})


def test_each_call_gets_its_own_values() -> None:
    kind = next(k for k in KINDS if k.framework is Framework.KERAS and k.name == "Conv2D")
    first = kind.validate({"filters": 4, "kernel_size": 3})
    first["strides"] = (9, 9)
    assert kind.validate({"filters": 4, "kernel_size": 3})["strides"] == (1, 1)


def _solve_nothing(args: Any, shape: Any) -> LayerOutcome:
    return outcome({}, shape)


def test_a_default_that_is_refused_or_could_change_is_checked_at_each_call() -> None:
    refused = LayerKind(Framework.KERAS, "Refused", "test", {"size": (PosInt, 0)}, _solve_nothing)
    for _ in range(2):
        with pytest.raises(ArgError, match=r"^must be a positive integer, got 0$"):
            refused.validate({})
    assert refused.validate({"size": 3}) == {"size": 3}

    def listed(value: object) -> list[object]:
        return [value]

    mutable = LayerKind(Framework.KERAS, "Mutable", "test", {"items": (listed, 1), "other": (PosInt, 1)}, _solve_nothing)
    first, second = mutable.validate({}), mutable.validate({"other": 2})
    assert first == {"items": [1], "other": 1} and second == {"items": [1], "other": 2}
    assert first["items"] is not second["items"]


# --- evaluation ---------------------------------------------------------------------------------


def _node_by_node(expr: Expr, env: dict[str, Any]) -> Value:
    """Evaluation as each node did it before sums and products read their leaves themselves."""
    if isinstance(expr, (Add, Mul)):
        result: Value = 0 if isinstance(expr, Add) else 1
        for item in expr.terms if isinstance(expr, Add) else expr.factors:
            result = result + _node_by_node(item, env) if isinstance(expr, Add) else result * _node_by_node(item, env)
        return int(result) if type(result) is Fraction and result.denominator == 1 else result
    if isinstance(expr, Neg):
        return -_node_by_node(expr.arg, env)
    return expr.evaluate(env)  # leaves, Div, Floor, Ceil, Max, Pow: as they were


@settings(max_examples=400, deadline=None)
@given(formulas, st.fixed_dictionaries(dict.fromkeys(NAMES, st.one_of(st.integers(-5, 300), st.just(Fraction(3, 4))))))
def test_sums_and_products_evaluate_as_node_by_node(expr: Expr, env: dict[str, Any]) -> None:
    assume("Pow(" not in repr(expr))
    try:
        expected: Value | str = _node_by_node(expr, env)
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        expected = type(error).__name__
    try:
        got: Value | str = expr.evaluate(env)
    except (ZeroDivisionError, ValueError, OverflowError) as error:
        got = type(error).__name__
    assert got == expected and type(got) is type(expected)


def test_a_missing_symbol_is_named_wherever_it_stands() -> None:
    x = Sym("x")
    for expr in (x, Add((x, Num(1))), Mul((Num(2), x)), Add((Num(1), Neg(x))), Neg(Mul((x, x)))):
        with pytest.raises(KeyError, match=r"^'no value bound for symbol x'$"):
            expr.evaluate({})
