"""The mistake engine rewrites each shared formula once per run (issue 15), with the same results."""

from __future__ import annotations

from quizgen.formula import Add, Mul, Num, Sym
from quizgen.layers.conv import conv_params
from quizgen.mistakes import model
from quizgen.mistakes.catalogue import _drop_constant_terms


def test_a_module_level_rewrite_of_a_shared_formula_is_worked_out_once() -> None:
    formula = conv_params(2, True, False)
    first = model._rewritten(_drop_constant_terms, formula)
    assert first is not None and model._rewritten(_drop_constant_terms, formula) is first
    assert first.render() == _drop_constant_terms(formula).render()  # type: ignore[union-attr]


def test_a_closure_is_never_memoised() -> None:
    formula = conv_params(2, True, False)
    calls = []

    def rewrite(expr: object) -> Mul:
        calls.append(expr)
        return Mul((Sym("C_out"), Num(len(calls))))

    assert model._rewritten(rewrite, formula).render({"C_out": 2}) == "2·1"  # type: ignore[union-attr]
    assert model._rewritten(rewrite, formula).render({"C_out": 2}) == "2·2"  # type: ignore[union-attr]


def test_a_formula_with_the_id_of_a_dead_one_is_not_mistaken_for_it() -> None:
    # The memo keeps its input formula alive and checks it, so an id reused by a new formula misses.
    for n in range(50):
        expr = Add((Mul((Sym("K"), Sym("C_in"))), Num(n)))
        shown = model._render(expr, {"K": 1, "C_in": 3}, {"K": 1})
        assert shown == f"3 + {n}"
