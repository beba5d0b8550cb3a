"""transform keeps the parts of a formula a rewrite leaves alone (issue 15: the mistake engine rewrites
thousands of formulas a run, and rebuilding every unchanged node was its largest cost)."""

from __future__ import annotations

from quizgen.formula import Add, Ceil, Div, Floor, Max, Mul, Neg, Num, Pow, Sym, simplify_units, substitute, transform


def _formula() -> Add:
    x, k = Sym("X"), Sym("K")
    return Add((Mul((Sym("C_out"), Add((Mul((k, k, Sym("C_in"))), Num(1))))),
                Floor(Div(Add((x, Neg(k))), Sym("S"))), Ceil(Pow(x, Num(2))), Max((x, k))))


def test_an_identity_rewrite_returns_the_same_tree() -> None:
    expr = _formula()
    assert transform(expr, lambda node: node) is expr
    assert simplify_units(expr) is expr  # no factor 1 to drop


def test_only_the_path_to_a_changed_leaf_is_rebuilt() -> None:
    expr = _formula()
    changed = substitute(expr, {"S": Num(2)})
    assert isinstance(changed, Add) and changed is not expr
    assert changed.terms[0] is expr.terms[0] and changed.terms[2] is expr.terms[2] and changed.terms[3] is expr.terms[3]
    assert changed.terms[1] is not expr.terms[1]
    assert changed.evaluate({"C_out": 4, "K": 3, "C_in": 2, "X": 8}) == 4 * 19 + 2 + 64 + 8


def test_dropping_a_factor_one_still_simplifies() -> None:
    expr = Mul((Sym("C_out"), Add((Mul((Sym("K"), Sym("C_in"))), Num(1)))))
    ones = substitute(expr, {"K": Num(1)})
    assert simplify_units(ones).render() == "C_out·(C_in + 1)"
