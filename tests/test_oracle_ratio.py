"""Design ratios proven in the frameworks, for every ratio question of the shipped bank and 20 students.

The original layer and the alternative design (the layers the key names) are built in the question's
framework (PyTorch, or Keras 3 on the torch backend) on the original layer's input; both must give
the same output shape, their parameters are counted from the real weights and their MACs with
PyTorch's FlopCounterMode (FLOPs / 2), and the key's exact fraction must be alternative / original
(or the saving (1 − alternative / original)·100).
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import pytest
from oracle import _tuples, keras_layer, resolved_layers

from quizgen.bank import load_bank
from quizgen.exam import Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students
from quizgen.solver import solve

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle


def _measure(framework: str, input_shape: tuple[int, ...], layers: list[tuple[str, dict[str, Any]]]) -> tuple[int, int, tuple[int, ...]]:
    """(parameters, MACs, output shape) of the layers built in the framework."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    if framework == "pytorch":
        modules = []
        for name, kwargs in layers:
            module = getattr(torch.nn, name)(**_tuples(kwargs))
            modules.append(module)
        model: Any = torch.nn.Sequential(*modules)

        def run(x: Any) -> Any:
            out = x
            for module in modules:
                out = module(out)
                if isinstance(out, tuple):  # an RNN's (output, state)
                    out = out[0]
            return out

        params = sum(p.numel() for p in model.parameters())
    else:
        import keras

        built = keras.Sequential([keras.Input(shape=input_shape), *(keras_layer(keras, name, kwargs) for name, kwargs in layers)])
        params = built.count_params()
        run = built
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        out = run(torch.ones(1, *input_shape))
    return int(params), counter.get_total_flops() // 2, tuple(out.shape[1:])


def _questions() -> list[Question]:
    exam, _ = generate_exam([load_bank("design-ratios")], 2026, numbered_students(20))
    return [q for v in exam.variants for q in v.questions if q.kind is QuestionKind.RATIO]


QUESTIONS = _questions()


def test_the_bank_compares_every_design_in_both_frameworks() -> None:
    assert len(QUESTIONS) == 20 * len(load_bank("design-ratios").templates) >= 20 * 6
    assert {q.details["compare"] for q in QUESTIONS} == {"separable", "stacked", "bottleneck", "grouped", "gru"}
    assert {q.details["as"] for q in QUESTIONS} == {"ratio", "saving"} and {q.details["of"] for q in QUESTIONS} == {"params", "macs"}
    assert {q.spec.framework.value for q in QUESTIONS} == {"keras", "pytorch"}


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"{q.template}-{i}" for i, q in enumerate(QUESTIONS)])
def test_key_ratio_matches_the_frameworks(question: Question) -> None:
    framework = question.spec.framework.value
    assert question.layer is not None
    solution = solve(question.spec)
    layer = solution.layers[question.layer]
    original = _measure(framework, layer.input_shape, [resolved_layers(solution)[question.layer]])
    alternative_layers = []
    for item in question.details["alternative_layers"]:
        ((name, kwargs),) = item.items()
        alternative_layers.append((name, kwargs))
    alternative = _measure(framework, layer.input_shape, alternative_layers)
    assert alternative[2] == original[2], question.template  # the same output shape
    index = 0 if question.details["of"] == "params" else 1
    ratio = Fraction(alternative[index], original[index])
    assert (question.details["original"], question.details["alternative"]) == (original[index], alternative[index])
    expected = ratio if question.details["as"] == "ratio" else (1 - ratio) * 100
    assert Fraction(question.details["exact"]) == expected, (question.template, original, alternative)
