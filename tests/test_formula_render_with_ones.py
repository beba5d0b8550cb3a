"""render_with_ones prints a wrong working with forgotten factors dropped in one pass (issue 15): it must
print exactly what substituting 1 for them, simplifying and rendering the trees printed."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen.formula import Add, Ceil, Div, Expr, Floor, Max, Mul, Neg, Num, Pow, Sym, render_with_ones, simplify_units, substitute

NAMES = ("C_in", "C_out", "K_h", "K_w", "P", "S")
leaves = st.one_of(st.sampled_from(NAMES).map(Sym),
                   st.sampled_from([0, 1, 2, -3, Fraction(1, 2), Fraction(4, 2)]).map(Num))


def _grow(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    many = st.lists(children, min_size=1, max_size=4).map(tuple)
    return st.one_of(many.map(Add), many.map(Mul), st.lists(children, min_size=1, max_size=3).map(lambda a: Max(tuple(a))),
                     children.map(Neg), children.map(Floor), children.map(Ceil),
                     st.tuples(children, children).map(lambda p: Div(*p)), st.tuples(children, children).map(lambda p: Pow(*p)))


formulas = st.recursive(leaves, _grow, max_leaves=12)
shown_values = st.one_of(st.integers(-5, 300), st.just(Fraction(3, 4)), st.sampled_from(["k", "?"]))


def _through_trees(expr: Expr, env: dict[str, object], ones: set[str]) -> str:
    return simplify_units(substitute(expr, {name: Num(1) for name in ones})).render(env)  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(formulas, st.fixed_dictionaries(dict.fromkeys(NAMES, shown_values)), st.sets(st.sampled_from(NAMES)))
def test_prints_what_the_substituted_and_simplified_tree_prints(expr: Expr, env: dict[str, object], ones: set[str]) -> None:
    assert render_with_ones(expr, env, ones) == _through_trees(expr, env, ones)  # type: ignore[arg-type]


def test_the_cases_that_change_the_shape() -> None:
    env = {"C_in": 32, "C_out": 63, "K_h": 3, "K_w": 3, "P": 1, "S": -2}
    conv = Mul((Sym("C_out"), Add((Mul((Sym("K_h"), Sym("K_w"), Sym("C_in"))), Num(1)))))
    assert render_with_ones(conv, env, {"C_in"}) == "63·(3·3 + 1)"
    assert render_with_ones(conv, env, {"K_h", "K_w", "C_in"}) == "63·(1 + 1)"  # an emptied product is the number 1
    assert render_with_ones(conv, env, {"C_out"}) == "3·3·32 + 1"  # the sum is left alone, its parentheses go
    nested = Mul((Sym("P"), Div(Sym("C_in"), Mul((Sym("K_w"), Sym("S"))))))
    assert render_with_ones(nested, env, {"K_w"}) == _through_trees(nested, env, {"K_w"}) == "1·(32/(-2))"
    negated = Add((Sym("C_in"), Neg(Mul((Sym("K_h"), Sym("P"))))))
    assert render_with_ones(negated, env, {"P"}) == "32 − 3"


def test_a_single_mistake_is_applied_as_it_is_and_re_solves_nothing() -> None:
    from quizgen.mistakes.model import Alteration, Context, Quantity, _merge, evaluate
    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    model = solve(parse_spec({"framework": "keras", "input_shape": [8, 8, 3], "layers": [{"Conv2D": {"filters": 4, "kernel_size": 3}}]}, "t"))
    alteration = Alteration(env={"C_in": 1})
    assert _merge([alteration]) is alteration
    ctx = Context(model.layers[0], Quantity("params"), model)
    outcome = evaluate(ctx, [alteration])
    assert outcome is not None and (outcome.value, outcome.working) == (4 * (3 * 3 + 1), "4·(3·3 + 1)")
    assert ctx.resolved == {}  # the layer's own solution serves: no arguments changed


def test_a_rewrite_is_worked_out_once_for_the_single_and_all_its_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    from quizgen.mistakes import Quantity, catalogue, layer_mistakes
    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    calls: list[Expr] = []
    real = catalogue._drop_constant_terms

    def counted(expr: Expr) -> Expr | None:
        calls.append(expr)
        return real(expr)

    monkeypatch.setattr(catalogue, "_drop_constant_terms", counted)
    model = solve(parse_spec({"framework": "keras", "input_shape": [16, 16, 8], "layers": [{"Conv2D": {"filters": 4, "kernel_size": 3}}]}, "t"))
    found = layer_mistakes(model, 0, Quantity("params"), model.layers[0].params)
    assert any(code.startswith("forgot_bias+") or code.endswith("+forgot_bias") for m in found for code in m.codes)  # pairs with it
    assert len(calls) == 1


def test_a_working_is_printed_only_for_the_wrong_values_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several mistakes often give one value; only the likeliest one's working is shown, so only it is printed."""
    from quizgen.mistakes import Quantity, layer_mistakes, model
    from quizgen.solver import solve
    from quizgen.spec import parse_spec

    calls: list[Expr] = []
    real = model._render

    def counted(expr: Expr, env: Any, overridden: Any) -> str:
        calls.append(expr)
        return real(expr, env, overridden)

    monkeypatch.setattr(model, "_render", counted)
    spec = {"framework": "keras", "input_shape": [1, 1, 8], "layers": [{"Conv2D": {"filters": 4, "kernel_size": 1}}]}
    solved = solve(parse_spec(spec, "t"))
    found = layer_mistakes(solved, 0, Quantity("params"), solved.layers[0].params)
    assert any(len(m.codes) > 1 for m in found)  # a 1×1 kernel on a 1×1 input: several mistakes share values
    assert len(calls) == len(found)
