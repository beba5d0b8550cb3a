"""Training FLOPs proven with PyTorch's FlopCounterMode, for every training_flops question of the
shipped bank and 20 students, in the question's own framework (Keras 3 runs on the torch backend,
so the same counter sees its convolutions and matrix products).

The forward pass of the batch must count exactly the key's forward FLOPs; a forward and backward
pass in which the input needs a gradient too must count exactly 3× forward, which is the stated
assumption (each convolution and dense layer: one forward, one input gradient, one weight
gradient, each as many multiply–adds). An epoch is a step's per-sample count times the dataset.
"""

from __future__ import annotations

import os
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


def _model(question: Question) -> Any:
    solution = solve(question.spec)
    if question.spec.framework.value == "pytorch":
        import torch

        return torch.nn.Sequential(*(getattr(torch.nn, name)(**_tuples(kwargs)) for name, kwargs in resolved_layers(solution)))
    import keras

    return keras.Sequential([keras.Input(shape=question.spec.input_shape),
                             *(keras_layer(keras, name, kwargs) for name, kwargs in resolved_layers(solution))])


def _counted(question: Question, samples: int) -> tuple[int, int]:
    """(forward FLOPs, forward and backward FLOPs with the input's gradient) for ``samples`` samples."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    model = _model(question)
    x = torch.ones(samples, *question.spec.input_shape)
    forward = FlopCounterMode(display=False)
    with forward:
        model(x)
    both = FlopCounterMode(display=False)
    x.requires_grad_(True)
    with both:
        model(x).sum().backward()
    return forward.get_total_flops(), both.get_total_flops()


def _questions() -> list[Question]:
    exam, _ = generate_exam([load_bank("training-compute")], 2026, numbered_students(20))
    return [q for v in exam.variants for q in v.questions if q.kind is QuestionKind.TRAINING_FLOPS]


QUESTIONS = _questions()
_CACHE: dict[str, tuple[int, int]] = {}


def test_the_bank_asks_forward_step_and_epoch_in_both_frameworks() -> None:
    assert len(QUESTIONS) == 20 * len(load_bank("training-compute").templates) >= 20 * 6
    assert {q.details["of"] for q in QUESTIONS} == {"forward", "step", "epoch"}
    assert {q.spec.framework.value for q in QUESTIONS} == {"keras", "pytorch"}


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"{q.template}-{i}" for i, q in enumerate(QUESTIONS)])
def test_key_answer_matches_the_flop_counter(question: Question) -> None:
    of = question.details["of"]
    samples = 1 if of == "epoch" else question.details["batch"]
    key = repr((question.spec, samples))
    if key not in _CACHE:
        _CACHE[key] = _counted(question, samples)
    forward, both = _CACHE[key]
    assert both == 3 * forward, question.template  # the assumption behind "a step ≈ 3× forward" holds exactly here
    expected = {"forward": forward, "step": both, "epoch": both * question.details["dataset"]}[of]
    assert question.answer == expected, (question.template, forward, both)
