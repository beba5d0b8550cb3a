"""Receptive fields proven by autograd in the real frameworks.

For every receptive_field question of the shipped bank, for 20 students: the network is built
by running the worksheet code quizgen writes for it (Keras 3 on the torch backend, or PyTorch),
every weight set to one, max-pooling replaced by average pooling of the same geometry (a
max-pool routes its gradient to one winner of a tie, yet its unit depends on the whole window),
and the gradient of one output unit with respect to an all-ones input is taken. The input
positions along the asked axis with a non-zero gradient must span exactly
[start + i·j, start + i·j + r − 1] for two neighbouring units i whose field lies inside the input.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.codeio import write_model_code
from quizgen.exam import Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.questions.receptive import axis_labels, receptive_field
from quizgen.roster import numbered_students
from quizgen.solver import solve
from quizgen.spec import parse_spec, spec_to_mapping

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle

_AVERAGE = {"MaxPooling1D": "AveragePooling1D", "MaxPooling2D": "AveragePooling2D", "MaxPool1d": "AvgPool1d",
            "MaxPool2d": "AvgPool2d"}


def _oracle_mapping(question: Question) -> dict[str, Any]:
    """The question's network up to the asked layer, with max-pooling as average pooling."""
    mapping = copy.deepcopy(spec_to_mapping(question.spec))
    layers = mapping["layers"]
    assert question.layer is not None
    for item, layer in zip(layers, solve(question.spec).layers, strict=True):  # in_channels quizgen inferred
        if layer.type in item and isinstance(item[layer.type], dict):
            for key, value in layer.outcome.resolved.items():
                item[layer.type].setdefault(key, list(value) if isinstance(value, tuple) else value)
    if not question.spec.is_graph:
        del layers[question.layer + 1:]
    else:
        name = solve(question.spec).layers[question.layer].name
        mapping["outputs"] = [name]
    for item in layers:
        for key in list(item):
            if key in _AVERAGE:
                kwargs = {k: v for k, v in item.pop(key).items() if k != "dilation"}
                item[_AVERAGE[key]] = kwargs
    return mapping


_SPANS: dict[str, dict[int, tuple[int, int]]] = {}  # students share variants: one framework run per network and axis


def _spans(question: Question, units: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    """First and last input position along the asked axis with a non-zero gradient of each output position."""
    import json

    import torch

    mapping = _oracle_mapping(question)
    key = json.dumps([mapping, question.details["axis"], units], sort_keys=True)
    if key in _SPANS:
        return _SPANS[key]
    namespace: dict[str, Any] = {}
    exec(compile(write_model_code(mapping), "worksheet.py", "exec"), namespace)  # noqa: S102 - quizgen's own worksheet code
    model = namespace["model"]
    spec = parse_spec(mapping)
    keras = spec.framework.value == "keras"
    if keras:
        for weight in model.weights:
            weight.assign(torch.ones(tuple(weight.shape)))
    else:
        model(torch.ones(1, *spec.input_shape))  # materialises Lazy modules before their weights are set
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.fill_(1.0)
        model.eval()
    axis = axis_labels(solve(spec)).index(question.details["axis"])
    spatial = 1 + axis if keras else 2 + axis  # batch first; then channels-last or channels-first
    spans = {}
    for unit in units:
        x = torch.ones(1, *spec.input_shape, requires_grad=True)
        y = model(x, training=False) if keras else model(x)
        index: list[Any] = [0] * y.dim()
        index[spatial] = unit
        index[-1 if keras else 1] = slice(None)  # one output position with all its channels (a concatenation's too)
        y[tuple(index)].sum().backward()
        grad = x.grad.abs()
        along = grad.sum(dim=tuple(d for d in range(grad.dim()) if d != spatial))
        seen = [int(i) for i in torch.nonzero(along).flatten()]
        spans[unit] = (seen[0], seen[-1])
    _SPANS[key] = spans
    return spans


def _questions() -> list[Question]:
    exam, _ = generate_exam([load_bank("receptive-field")], 2026, numbered_students(20))
    return [q for v in exam.variants for q in v.questions if q.kind is QuestionKind.RECEPTIVE_FIELD]


QUESTIONS = _questions()


def test_the_bank_asks_every_part_of_the_field_on_chains_and_graphs() -> None:
    assert len(QUESTIONS) == 20 * len(load_bank("receptive-field").templates) >= 20 * 6
    assert {q.details["of"] for q in QUESTIONS} == {"size", "jump", "start"}
    assert any(q.spec.is_graph for q in QUESTIONS) and any(not q.spec.is_graph for q in QUESTIONS)
    assert {q.spec.framework.value for q in QUESTIONS} == {"keras", "pytorch"}


@pytest.mark.parametrize("question", QUESTIONS, ids=[f"{q.template}-{i}" for i, q in enumerate(QUESTIONS)])
def test_key_answer_matches_autograd(question: Question) -> None:
    field = question.details["field"]
    first = question.details["units_inside"][0]
    for unit, seen in _spans(question, (first, first + 1)).items():
        low = field["start"] + unit * field["jump"]
        assert seen == (low, low + field["size"] - 1), (question.template, unit)
    assert question.answer == {"size": field["size"], "jump": field["jump"], "start": -field["start"]}[question.details["of"]]


def test_two_branch_network_takes_the_union_over_paths() -> None:
    """A 7×7 branch next to a 3×3 one: the field is the wider branch, not the first path found."""
    spec = parse_spec({"framework": "pytorch", "inputs": {"x": [4, 40, 40]}, "layers": [
        {"Conv2d": {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "narrow", "inputs": ["x"]},
        {"Conv2d": {"in_channels": 4, "out_channels": 4, "kernel_size": 7, "padding": 3}, "name": "wide", "inputs": ["x"]},
        {"Conv2d": {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": 1}, "name": "down",
         "inputs": ["wide"]},
        {"MaxPool2d": {"kernel_size": 2}, "name": "pooled", "inputs": ["narrow"]},
        {"torch.add": {}, "name": "sum", "inputs": ["pooled", "down"]},
        {"Conv2d": {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "padding": 1}, "name": "head"},
    ]})
    model = solve(spec)
    field = receptive_field(model, model.layers[-1], 0)
    assert (field.size, field.jump, field.start) == (13, 2, -6)  # the wide path; the narrow one spans 8 from -3
    question = Question("q", "q", QuestionKind.RECEPTIVE_FIELD, 1, spec, len(spec.layers) - 1, {}, field.size, (), {},
                        details={"axis": "H", "of": "size"})
    for unit, seen in _spans(question, (4, 5)).items():
        assert seen == (field.start + 2 * unit, field.start + 2 * unit + field.size - 1)


def _chain_layers(draw: Any) -> list[dict[str, Any]]:
    from hypothesis import strategies as st

    layers: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        k = draw(st.integers(1, 5))
        if draw(st.booleans()):
            d = draw(st.integers(1, 3))
            layers.append({"Conv1d": {"out_channels": 2, "kernel_size": k, "stride": draw(st.integers(1, 3)), "dilation": d,
                                      "padding": draw(st.integers(0, (k - 1) * d // 2))}})
        else:
            layers.append({"MaxPool1d": {"kernel_size": k, "stride": draw(st.integers(1, 3)), "padding": draw(st.integers(0, k // 2))}})
    return layers


def test_random_chains_match_autograd() -> None:
    """Any chain of strided, dilated, padded convolutions and pools: the recurrence is the autograd span."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from quizgen.errors import QuizgenError

    checked = []

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(st.data())
    def check(data: Any) -> None:
        layers = _chain_layers(data.draw)
        try:
            spec = parse_spec({"framework": "pytorch", "input_shape": [2, 96], "layers": layers})
            model = solve(spec)
        except QuizgenError:
            return  # a draw whose output collapses is not a network
        field = receptive_field(model, model.layers[-1], 0)
        last = model.layers[-1].output_shape[1] or 0
        inside = [i for i in range(last) if field.start + i * field.jump >= 0 and field.end + i * field.jump <= 95]
        if len(inside) < 2:
            return
        question = Question("q", "q", QuestionKind.RECEPTIVE_FIELD, 1, spec, len(layers) - 1, {}, field.size, (), {},
                            details={"axis": "L", "of": "size"})
        for unit, seen in _spans(question, (inside[0], inside[0] + 1)).items():
            low = field.start + unit * field.jump
            assert seen == (low, low + field.size - 1), (layers, unit)
        checked.append(layers)

    check()
    assert len(checked) >= 20  # most draws are real networks with two whole fields inside the input
