"""Memory answers proven with real tensors, for every memory question of the shipped bank and 20 students.

The network is built in its own framework (PyTorch modules, or Keras 3 layers on the torch
backend) and the bytes are read off real tensors: ``element_size()·numel()`` of the parameters
and BatchNorm statistics in the asked dtype, of every gradient after one backward pass, of an
optimizer's state after one step (PyTorch ``optimizer.state``, Keras ``optimizer.variables``;
the step counters left out as the convention says), and of every layer's output in a forward
pass of the asked batch. The key's exact fraction must equal bytes / unit.
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
from quizgen.questions.memory import UNITS
from quizgen.roster import numbered_students
from quizgen.solver import solve

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle


def _dtype(name: str) -> Any:
    import torch

    return {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16, "int8": torch.int8}[name]


def _nbytes(tensor: Any, dtype: Any) -> int:
    converted = tensor.detach().to(dtype)
    return int(converted.element_size() * converted.numel())


def _torch_bytes(question: Question) -> dict[str, int]:
    import torch

    solution = solve(question.spec)
    model = torch.nn.Sequential(*(getattr(torch.nn, name)(**_tuples(kwargs)) for name, kwargs in resolved_layers(solution)))
    dtype = _dtype(question.details["dtype"])
    compute = dtype if dtype is not torch.int8 else torch.float32  # int8 is a storage format here, not trained
    model = model.to(compute)
    stats = [b for name, b in model.named_buffers() if name.endswith(("running_mean", "running_var"))]
    weights = sum(_nbytes(t, dtype) for t in [*model.parameters(), *stats])
    activations = 0

    def hook(_module: Any, _inputs: Any, output: Any) -> None:
        nonlocal activations
        activations += int(output.element_size() * output.numel())

    for module in model:
        module.register_forward_hook(hook)
    batch = question.details["batch"]
    optimizer = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1), "momentum": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                 "adam": lambda p: torch.optim.Adam(p, lr=0.1)}[question.details["optimizer"]](model.parameters())
    out = model(torch.ones(batch, *question.spec.input_shape, dtype=compute))
    out.float().sum().backward()
    gradients = sum(_nbytes(p.grad, dtype) for p in model.parameters() if p.grad is not None)
    optimizer.step()
    state = sum(_nbytes(v, dtype) for s in optimizer.state.values() for k, v in s.items() if k != "step" and torch.is_tensor(v))
    return {"weights": weights, "gradients": gradients, "optimizer": state, "activations": activations}


def _keras_bytes(question: Question) -> dict[str, int]:
    import keras
    import torch

    solution = solve(question.spec)
    inputs = keras.Input(shape=question.spec.input_shape)
    x, outputs = inputs, []
    for name, kwargs in resolved_layers(solution):
        x = keras_layer(keras, name, kwargs)(x)
        outputs.append(x)
    model = keras.Model(inputs, outputs)
    dtype = _dtype(question.details["dtype"])
    weights = sum(_nbytes(keras.ops.convert_to_tensor(w), dtype) for w in model.weights)
    batch = question.details["batch"]
    features = model(torch.ones(batch, *question.spec.input_shape))
    activations = sum(_nbytes(t, dtype) for t in features)
    features[-1].sum().backward()
    gradients = sum(_nbytes(w.value.grad, dtype) for w in model.trainable_weights if w.value.grad is not None)
    optimizer = {"sgd": lambda: keras.optimizers.SGD(), "momentum": lambda: keras.optimizers.SGD(momentum=0.9),
                 "adam": lambda: keras.optimizers.Adam()}[question.details["optimizer"]]()
    optimizer.build(model.trainable_variables)
    state = sum(_nbytes(keras.ops.convert_to_tensor(v), dtype) for v in optimizer.variables if len(v.shape) > 0)
    return {"weights": weights, "gradients": gradients, "optimizer": state, "activations": activations}


def _questions() -> list[Question]:
    exam, _ = generate_exam([load_bank("memory")], 2026, numbered_students(20))
    return [q for v in exam.variants for q in v.questions if q.kind is QuestionKind.MEMORY]


QUESTIONS = _questions()
_CACHE: dict[str, dict[str, int]] = {}


def test_the_bank_asks_every_part_in_both_frameworks() -> None:
    assert len(QUESTIONS) == 20 * len(load_bank("memory").templates) >= 20 * 6
    assert {q.details["of"] for q in QUESTIONS} == {"weights", "gradients", "optimizer", "activations", "training"}
    assert {q.spec.framework.value for q in QUESTIONS} == {"keras", "pytorch"}
    assert {"KiB", "MB", "MiB", "B"} <= {q.details["unit"] for q in QUESTIONS}


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"{q.template}-{i}" for i, q in enumerate(QUESTIONS)])
def test_key_answer_matches_real_tensors(question: Question) -> None:
    details = question.details
    key = repr((question.spec, details["dtype"], details["optimizer"], details["batch"]))
    if key not in _CACHE:
        _CACHE[key] = (_keras_bytes if question.spec.framework.value == "keras" else _torch_bytes)(question)
    measured = _CACHE[key]
    of = details["of"]
    total = sum(measured.values()) if of == "training" else measured[of]
    assert details["bytes"] == total, (question.template, measured)
    assert Fraction(details["exact"]) == Fraction(total, UNITS[details["unit"]])
