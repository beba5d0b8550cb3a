"""The mistake engine's run-long memos (issue 15): printed shapes of formulas and rewrites worked out once.

Each memo is keyed by objects' identities and must never hand one question another's numbers or words:
every test here compares the engine with its memos warm against the same call with them emptied.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_formula_render_with_ones import NAMES, formulas, shown_values

from quizgen import formula
from quizgen.exam import MistakeValue
from quizgen.formula import Bound, Expr, Mul, Num, Sym, render_shaped, render_with_ones
from quizgen.mistakes import Quantity, layer_mistakes
from quizgen.mistakes import model as engine
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec


def _solved(framework: str, shape: list[Any], *layers: dict[str, Any]) -> ModelSolution:
    return solve(parse_spec({"framework": framework, "input_shape": shape, "layers": list(layers)}, "t"))


def _cold(call: Any) -> Any:
    formula._PRINTED.clear()
    engine._REWRITTEN.clear()
    return call()


@settings(max_examples=300, deadline=None)
@given(formulas, st.lists(st.fixed_dictionaries(dict.fromkeys(NAMES, shown_values)), min_size=3, max_size=3),
       st.sets(st.sampled_from(NAMES)).map(frozenset))
def test_a_printed_shape_prints_what_the_formula_prints(expr: Expr, envs: list[dict[str, Any]], ones: frozenset[str]) -> None:
    # The first print is direct, the second makes the shape, the third fills it: each with its own numbers.
    for env in envs:
        direct = render_with_ones(expr, env, ones) if ones else expr.render(env)
        assert render_shaped(expr, env, ones) == direct


@settings(max_examples=200, deadline=None)
@given(formulas, st.lists(st.fixed_dictionaries(dict.fromkeys(NAMES, shown_values)), min_size=3, max_size=3))
def test_a_bound_formula_prints_its_steps_from_its_shape(expr: Expr, envs: list[dict[str, Any]]) -> None:
    for env in envs:
        bound = Bound(expr, env, 7)
        assert bound.formula() == expr.render()
        assert bound.substituted() == expr.render(env)
        assert bound.steps().startswith(expr.render())


def test_one_formula_printed_with_other_numbers_or_other_ones_gives_its_own_text() -> None:
    conv = Mul((Sym("C_out"), Sym("K_h") * Sym("K_w") * Sym("C_in") + 1))
    texts = [render_shaped(conv, {"C_out": c, "K_h": 3, "K_w": 3, "C_in": 8}) for c in (4, 4, 5, -2, Fraction(1, 2))]
    assert texts[2:] == ["5·(3·3·8 + 1)", "(-2)·(3·3·8 + 1)", "(1/2)·(3·3·8 + 1)"]
    env = {"C_out": 4, "K_h": 3, "K_w": 3, "C_in": 8}
    assert render_shaped(conv, env) == render_shaped(conv, env) == "4·(3·3·8 + 1)"
    assert render_shaped(conv, env, frozenset({"C_in"})) == render_shaped(conv, env, frozenset({"C_in"})) == "4·(3·3 + 1)"
    assert render_shaped(conv, env, frozenset({"K_w"})) == "4·(3·8 + 1)"
    twin = Mul((Sym("C_out"), Sym("K_h") * Sym("K_w") * Sym("C_in") + 1))  # equal structure, its own entry
    assert render_shaped(twin, env) == render_shaped(twin, env) == "4·(3·3·8 + 1)"
    with pytest.raises(KeyError):  # a symbol without a number fails as the direct print does
        render_shaped(conv, {"C_out": 4, "K_h": 3, "K_w": 3})


def test_the_memos_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formula, "_PRINTED_MAX", 8)
    monkeypatch.setattr(engine, "_REWRITTEN_MAX", 8)
    for n in range(40):
        made = Sym("x") + Num(n)  # a formula made for one question only
        assert render_shaped(made, {"x": 1}) == f"1 + {n}"
        assert engine.rewritten(lambda e: Mul((e, Num(2))), made) is not None
    assert len(formula._PRINTED) <= 8 and len(engine._REWRITTEN) <= 8


def test_a_rewrite_is_worked_out_once_a_run_for_the_same_formula() -> None:
    calls: list[Expr] = []

    def double(expr: Expr) -> Expr:
        calls.append(expr)
        return Mul((Num(2), expr))

    a, b = Sym("a") + 1, Sym("a") + 1
    first = engine.rewritten(double, a)
    assert engine.rewritten(double, a) is first and len(calls) == 1
    assert engine.rewritten(double, b) is not first and len(calls) == 2  # another formula object: worked out anew


# Layers that differ in one number, one flag or one framework only: each must get its own values and texts.
LAYERS = [
    ("keras", [28, 28, 16], {"Conv2D": {"filters": 64, "kernel_size": 3}}),
    ("keras", [28, 28, 16], {"Conv2D": {"filters": 64, "kernel_size": 5}}),
    ("keras", [28, 28, 8], {"Conv2D": {"filters": 64, "kernel_size": 3}}),
    ("keras", [32, 32, 16], {"Conv2D": {"filters": 64, "kernel_size": 3}}),
    ("keras", [28, 28, 16], {"Conv2D": {"filters": 64, "kernel_size": 3, "use_bias": False}}),
    ("keras", [28, 28, 1], {"Conv2D": {"filters": 64, "kernel_size": 1}}),
    ("pytorch", [16, 28, 28], {"Conv2d": {"in_channels": 16, "out_channels": 64, "kernel_size": 3}}),
    ("pytorch", [16, 28, 28], {"Conv2d": {"in_channels": 16, "out_channels": 64, "kernel_size": 3, "bias": False}}),
    ("pytorch", [16, 28, 28], {"Conv2d": {"in_channels": 16, "out_channels": 64, "kernel_size": 3, "groups": 4}}),
    ("pytorch", [16, 28], {"Conv1d": {"in_channels": 16, "out_channels": 8, "kernel_size": 3, "padding": 1}}),
    ("keras", [28, 28, 16], {"DepthwiseConv2D": {"kernel_size": 3}}),
    ("keras", [28, 28, 16], {"DepthwiseConv2D": {"kernel_size": 3, "use_bias": False}}),
    ("keras", [9, 9, 4], {"MaxPooling2D": {"pool_size": 2, "padding": "same"}}),
    ("pytorch", [4, 9, 9], {"MaxPool2d": {"kernel_size": 2, "ceil_mode": True}}),
    ("keras", [9, 9, 4], {"Conv2D": {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}}),
]
QUANTITIES = [Quantity("params"), Quantity("macs"), Quantity("flops"), Quantity("shape"), Quantity("dim", 0), Quantity("dim", 1)]


def _all_mistakes(cold: bool) -> list[tuple[MistakeValue, ...]]:
    found = []
    for framework, shape, layer in LAYERS:
        solved = _solved(framework, shape, layer)
        answers = {"params": solved.layers[0].params, "macs": solved.layers[0].macs, "shape": list(solved.layers[0].output_shape)}
        for quantity in QUANTITIES:
            answer = answers.get(quantity.kind, 2 * (solved.layers[0].macs or 0) if quantity.kind == "flops" else
                                 solved.layers[0].output_shape[quantity.axis or 0])
            if cold:
                found.append(_cold(lambda: layer_mistakes(solved, 0, quantity, answer)))  # noqa: B023 - called at once
            else:
                found.append(layer_mistakes(solved, 0, quantity, answer))
    return found


def test_warm_memos_give_every_layer_what_cold_ones_give() -> None:
    cold = _all_mistakes(cold=True)
    _all_mistakes(cold=False)
    warm = _all_mistakes(cold=False)  # every formula and rewrite seen many times now
    assert warm == cold
    # and the layers that differ in one number do differ in their texts
    texts = {m.explanation["en"] for found in warm for m in found}
    assert "640 = 64·(3·3 + 1): you forgot that each filter spans all 16 input channels; correct: 64·(3·3·16 + 1) = 9280" in texts
    assert "640 = 64·(3·3 + 1): you forgot that each filter spans all 8 input channels; correct: 64·(3·3·8 + 1) = 4672" in texts
    assert any(text.startswith("1664 = 64·(5·5 + 1)") for text in texts)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bias_switched_off_gets_its_own_wrong_formula(lang: str) -> None:
    with_bias = _solved("keras", [28, 28, 16], {"Conv2D": {"filters": 64, "kernel_size": 3}})
    without = _solved("keras", [28, 28, 16], {"Conv2D": {"filters": 64, "kernel_size": 3, "use_bias": False}})
    twice = [next(m for m in layer_mistakes(s, 0, Quantity("params"), s.layers[0].params) if m.codes[0] == "kernels_counted_twice")
             for s in (with_bias, without, with_bias)]
    assert twice[0].value == (3 * 3 * 16 * 64 + 64) * 64 and twice[1].value == 3 * 3 * 16 * 64 * 64
    assert twice[0].explanation[lang].startswith(f"{twice[0].value} = (3·3·16·64 + 64)·64")
    assert twice[1].explanation[lang].startswith(f"{twice[1].value} = 3·3·16·64·64")
    assert twice[2] == twice[0]


def test_words_made_once_fill_as_a_plain_mapping_does() -> None:
    from quizgen.i18n import Words, fill_words

    plain = {"C_in": 16, "layer": "conv2d"}
    for template in ("all {C_in} input channels of {layer}", "{axis} stays {axis}", "{C_in:>4}|{layer!r}"):
        assert fill_words(template, Words(plain)) == fill_words(template, plain)
    assert fill_words("{C_in} and {axis}", plain) == "16 and {axis}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_layer_gets_reasons_with_its_own_numbers(lang: str) -> None:
    found = []
    for c_in in (16, 8, 16):
        solved = _solved("keras", [28, 28, c_in], {"Conv2D": {"filters": 64, "kernel_size": 3}})
        mistakes = layer_mistakes(solved, 0, Quantity("params"), solved.layers[0].params)
        found.append(next(m for m in mistakes if m.codes[0] == "forgot_input_channels").explanation[lang])
    assert found[0] == found[2] != found[1]
    assert (" 16 " in found[0]) and (" 8 " in found[1]) and " 16 " not in found[1]


@pytest.mark.parametrize(("framework", "shape", "layer"), [
    ("keras", [10, 8], {"LSTM": {"units": 16}}),
    ("pytorch", [10, 8], {"GRU": {"input_size": 8, "hidden_size": 16, "batch_first": True}}),
    ("keras", [28, 28, 16], {"SeparableConv2D": {"filters": 8, "kernel_size": 3}}),
    ("keras", [28, 28, 16], {"DepthwiseConv2D": {"kernel_size": 3}}),
])
def test_the_rewrite_memo_keeps_no_question_alive(framework: str, shape: list[int], layer: dict[str, Any]) -> None:
    """The run-long memo keeps its rewrites; one closing over a question's context would keep its whole network."""
    from quizgen.mistakes.model import Context

    def reachable(value: object, depth: int = 0) -> bool:
        if isinstance(value, (Context, ModelSolution)):
            return True
        cells = getattr(value, "__closure__", None) or ()
        return depth < 3 and any(reachable(cell.cell_contents, depth + 1) for cell in cells)

    engine._REWRITTEN.clear()
    solved = _solved(framework, shape, layer)
    for quantity in (Quantity("params"), Quantity("macs")):
        layer_mistakes(solved, 0, quantity, solved.layers[0].params if quantity.kind == "params" else solved.layers[0].macs)
    assert engine._REWRITTEN  # the layer's rewrites were memoized
    assert not any(reachable(rewrite) for rewrite, _, _ in engine._REWRITTEN.values())
