"""How alterations combine into one wrong value (issue 15: combined without building a merged Alteration)."""

from __future__ import annotations

from typing import Any

import pytest

from quizgen.formula import Expr, Mul, Num
from quizgen.mistakes import Quantity, layer_mistakes
from quizgen.mistakes.model import Alteration, Context, _merge, evaluate, evaluate_unprinted, working_text
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec


def _solved(*layers: dict[str, Any], shape: list[int] | None = None) -> ModelSolution:
    return solve(parse_spec({"framework": "keras", "input_shape": shape or [16, 16, 8], "layers": list(layers)}, "t"))


CONV = _solved({"Conv2D": {"filters": 4, "kernel_size": 3}})


def _double(expr: Expr) -> Expr:
    return Mul((Num(2), expr))


def _never(_expr: Expr) -> None:
    return None


@pytest.mark.parametrize(("alterations", "value", "working"), [
    ([Alteration(env={"C_in": 1}), Alteration(env={"K_w": 1})], 4 * (3 + 1), "4·(3 + 1)"),
    ([Alteration(env={"C_in": 1}), Alteration(env={"C_in": 1})], 4 * (9 + 1), "4·(3·3 + 1)"),  # the same number twice agrees
    ([Alteration(env={"C_in": 1}), Alteration(rewrite=_double)], 2 * 4 * (9 + 1), "2·(4·(3·3 + 1))"),
    ([Alteration(rewrite=_double), Alteration(rewrite=_double)], 4 * (9 * 8 + 1) * 4, "2·(2·(4·(3·3·8 + 1)))"),  # in turn
    ([Alteration(args={"use_bias": False}), Alteration(env={"C_in": 1})], 4 * 9, "4·3·3"),  # re-solved, then bound
    ([Alteration(value=7, working="3 + 4")], 7, "3 + 4"),
    ([Alteration(value=7)], 7, "7"),
])
def test_alterations_that_agree_combine(alterations: list[Alteration], value: int, working: str) -> None:
    ctx = Context(CONV.layers[0], Quantity("params"), CONV)
    outcome = evaluate(ctx, alterations)
    assert outcome is not None and (outcome.value, outcome.working) == (value, working)
    merged = _merge(alterations)  # the merged form of the same alterations says the same
    assert merged is not None and evaluate(ctx, [merged]) == outcome


@pytest.mark.parametrize("alterations", [
    [Alteration(env={"C_in": 1}), Alteration(env={"C_in": 2})],  # two numbers for one symbol
    [Alteration(args={"use_bias": False}), Alteration(args={"use_bias": True})],
    [Alteration(value=7), Alteration(env={"C_in": 1})],  # an outright value combines with nothing
    [Alteration(env={"C_in": 1}), Alteration(value=7)],
    [Alteration(shape=lambda s: s), Alteration(shape=lambda s: s)],
    [Alteration(as_type="Conv2D"), Alteration(as_type="Conv1D")],
    [Alteration(rewrite=_never)],  # a rewrite that does not apply
    [Alteration(env={"C_in": 1}), Alteration(rewrite=_never)],
])
def test_alterations_that_conflict_give_nothing(alterations: list[Alteration]) -> None:
    ctx = Context(CONV.layers[0], Quantity("params"), CONV)
    assert evaluate_unprinted(ctx, alterations) is None
    merged = _merge(alterations)
    assert merged is None or evaluate(ctx, [merged]) is None


def test_a_shape_keeps_the_dimensions_a_rewrite_does_not_apply_to() -> None:
    pooled = _solved({"MaxPooling2D": {"pool_size": 2}}, shape=[9, 9, 4])
    ctx = Context(pooled.layers[0], Quantity("shape"), pooled)
    found = evaluate_unprinted(ctx, [Alteration(rewrite=_never)])
    assert found is not None and found[0] == [4, 4, 4]  # nothing applies: the right shape
    found = evaluate_unprinted(ctx, [Alteration(rewrite=_never), Alteration(env={"S_h": 1, "S_w": 1})])
    assert found is not None and found[0] == [8, 8, 4] and working_text(found[1]) == "(8, 8, 4)"


def test_pairs_of_every_quantity_are_what_they_were() -> None:
    """Hand-checked values of one layer's pairs, and no pair of a mistake with itself."""
    found = {code: m.value for m in layer_mistakes(CONV, 0, Quantity("params"), CONV.layers[0].params) for code in m.codes}
    assert found["forgot_input_channels+forgot_bias"] == 4 * 3 * 3
    assert found["forgot_input_channels+kernel_side_not_area"] == 4 * (3 + 1)
    assert found["forgot_bias+kernel_side_not_area"] == 4 * 3 * 8
    assert not any(code.split("+")[0] == code.split("+")[-1] for code in found if "+" in code)
