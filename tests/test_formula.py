"""Formula trees: evaluation, the worked-step rendering and the sympy form agree."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen import load_spec, solve
from quizgen.formula import Num, bind, floor_div, simplify_units, substitute, symbols
from quizgen.layers.conv import conv_params

SPECS = sorted((Path(__file__).parent / "fixtures" / "specs").glob("*.yaml"))
C_IN, C_OUT, K_H, K_W = symbols("C_in C_out K_h K_w")


def test_steps_keep_the_written_order() -> None:
    bound = bind(conv_params(2, True, False), {"C_in": 32, "C_out": 63, "K_h": 3, "K_w": 3})
    assert bound.steps() == "C_out·(K_h·K_w·C_in + 1) = 63·(3·3·32 + 1) = 18207"


def test_forgotten_factor_disappears_from_the_working() -> None:
    wrong = simplify_units(substitute(conv_params(2, True, False), {"C_in": Num(1)}))
    assert wrong.render({"C_out": 63, "K_h": 3, "K_w": 3}) == "63·(3·3 + 1)"


@given(st.integers(1, 300), st.integers(1, 9), st.integers(1, 4), st.integers(0, 4), st.integers(1, 3))
@settings(max_examples=200, deadline=None)
def test_floor_formula_matches_sympy(x: int, k: int, s: int, p: int, d: int) -> None:
    x_in, kk, ss, pp, dd = symbols("X K S P D")
    expr = floor_div(x_in + 2 * pp - dd * (kk - 1) - 1, ss) + 1
    env = {"X": x, "K": k, "S": s, "P": p, "D": d}
    value = expr.evaluate(env)
    assert value == (x + 2 * p - d * (k - 1) - 1) // s + 1
    substituted = expr.sympy().subs({sympy.Symbol(n, integer=True): v for n, v in env.items()})
    assert int(substituted) == value


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_layer_formula_has_an_equal_sympy_form(spec: Path) -> None:
    for layer in solve(load_spec(spec)).layers:
        for bound in (layer.trainable, layer.non_trainable, layer.outcome.macs, *layer.outcome.dims):
            if bound is None:
                continue
            env = {sympy.Symbol(n, integer=True): v for n, v in bound.env.items()}
            assert bound.expr.sympy().subs(env) == bound.value, (layer.name, bound.formula())
