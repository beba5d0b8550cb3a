"""The code printed on worksheets runs, and builds exactly the network of the key.

Students paste the worksheet's Keras or PyTorch code into a notebook to check themselves, so
every distinct network of every shipped bank (three students each) is written as the
worksheet writes it, executed with the real framework (one forward pass, which also gives
the Lazy modules their inferred sizes) and counted layer by layer against the key.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import Counter
from functools import cache
from math import prod
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.codeio import write_model_code
from quizgen.codeio.graph_writer import is_graph_mapping
from quizgen.exam import Question, QuestionKind
from quizgen.generate import generate_exam
from quizgen.render.network import _code
from quizgen.resources import banks_dir
from quizgen.roster import numbered_students
from quizgen.solver import solve
from quizgen.spec import NetworkSpec, spec_to_mapping

os.environ.setdefault("KERAS_BACKEND", "torch")
pytestmark = pytest.mark.oracle
BANKS = sorted(path.stem for path in banks_dir().glob("*.yaml"))
STUDENTS = 3


@cache
def _networks(bank: str) -> list[tuple[NetworkSpec, list[Question]]]:
    """The bank's distinct networks (three students), each with the key's questions on it."""
    exam, _ = generate_exam([load_bank(bank)], 1, numbered_students(STUDENTS))
    found: dict[str, tuple[NetworkSpec, list[Question]]] = {}
    for variant in exam.variants:
        for question in variant.questions:
            key = json.dumps(spec_to_mapping(question.spec), sort_keys=True)
            found.setdefault(key, (question.spec, []))[1].append(question)
    return list(found.values())


def _run(code: str) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(code, "worksheet.py", "exec"), namespace)  # noqa: S102 - our own generated code: running it is the test
    return namespace["model"]


def _torch_counts(model: Any, spec: NetworkSpec, graph: bool) -> tuple[dict[str, tuple[int, int]], tuple[int, int], tuple[int, ...]]:
    import torch

    with torch.no_grad():  # materialises any Lazy module left (the printed code runs one batch too)
        out = model(*(torch.zeros(2, *shape) for _, shape in spec.model_inputs))
    out = out[0] if isinstance(out, tuple) else out
    modules = dict(model.named_children()) if graph else {str(i): m for i, m in enumerate(model.children())}
    counts = {name: (sum(p.numel() for p in m.parameters()), sum(p.numel() for p in m.parameters() if p.requires_grad))
              for name, m in modules.items()}
    params = list(model.parameters())
    totals = (sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad))
    return counts, totals, tuple(out.shape[1:])


def _keras_counts(model: Any, graph: bool) -> tuple[dict[str, tuple[int, int]], tuple[int, int], tuple[int, ...]]:
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    counts = {} if graph else {str(i): (layer.count_params(), sum(int(prod(w.shape)) for w in layer.trainable_weights))
                               for i, layer in enumerate(layers)}
    totals = (model.count_params(), sum(int(prod(w.shape)) for w in model.trainable_weights))
    shape = model.output_shape[0] if isinstance(model.output_shape, list) else model.output_shape
    return counts, totals, tuple(shape[1:])


@pytest.mark.parametrize("bank", BANKS)
def test_worksheet_code_runs_and_matches_the_key(bank: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    networks = _networks(bank)
    assert networks
    for spec, questions in networks:
        mapping = spec_to_mapping(spec)
        graph = is_graph_mapping(mapping)
        code = write_model_code(mapping)
        assert html.unescape(str(_code(spec, None))) == code  # exactly what the worksheet prints
        solution = solve(spec)
        where = f"{bank}: {questions[0].id} ({spec.framework.value})\n{code}"
        model = _run(code)
        if spec.framework.value == "pytorch":
            counts, totals, output = _torch_counts(model, spec, graph)
        else:
            counts, totals, output = _keras_counts(model, graph)
        # Per layer: a chain's layers in order; a PyTorch graph's modules by the layer names the code uses
        # (a Keras graph's layers carry no spec name, and torch functions and shared calls own no module).
        expected = {(re.sub(r"\W", "_", layer.name) if graph else str(layer.index)): (layer.params, int(layer.trainable.value))
                    for layer in solution.layers if not layer.shares}
        matched = [name for name in counts if name in expected]
        assert {name: counts[name] for name in matched} == {name: expected[name] for name in matched}, where
        assert graph or counts == expected, where
        assert totals == (solution.total_params, solution.trainable_params), where
        assert output == tuple(solution.output_shape), where
        for question in questions:  # the key's own answers about counts, where the question asks one
            if question.kind is QuestionKind.TOTAL_PARAMS and isinstance(question.answer, int):
                assert question.answer == totals[0], f"{where}\nquestion {question.id}"
            elif question.kind is QuestionKind.PARAMS and isinstance(question.answer, int) and not graph:
                assert question.answer == counts[str(question.layer)][0], f"{where}\nquestion {question.id}"
        if graph:
            _check_graph(model, solution, questions, where)


def _check_graph(model: Any, solution: Any, questions: list[Question], where: str) -> None:
    """A graph's code, layer by layer in both frameworks: every layer with weights once (a shared layer is one module, a
    class token one nn.Parameter), and each layer question's answer is the count of one of them (of its own module in torch)."""
    own = Counter((layer.params, int(layer.trainable.value)) for layer in solution.layers if layer.params)
    if solution.spec.framework.value == "pytorch":
        import torch

        out = model(*(torch.zeros(2, *shape) for _, shape in solution.spec.model_inputs))
        owners = [*model.children(), *model._parameters.values()]  # modules and free weights (class token, ...)
        counts = Counter((sum(p.numel() for p in ([m] if isinstance(m, torch.nn.Parameter) else m.parameters())),
                          sum(p.numel() for p in ([m] if isinstance(m, torch.nn.Parameter) else m.parameters()) if p.requires_grad))
                         for m in owners)
        counts = Counter({key: n for key, n in counts.items() if key[0]})
        total = sum(p.numel() for p in model.parameters())
        shape = tuple(out.shape[1:])
        by_name = {layer.name: getattr(model, re.sub(r"\W", "_", layer.name), None) for layer in solution.layers}
    else:
        counts = Counter((layer.count_params(), sum(int(prod(w.shape)) for w in layer.trainable_weights))
                         for layer in model.layers if layer.count_params())
        total = model.count_params()
        shape = tuple(model.output_shape[1:])
        by_name = {}
        # The code names each layer the spec names (name=), so its model.summary() prints the key's names.
        given = {str(item["name"]) for item in spec_to_mapping(solution.spec)["layers"] if isinstance(item, dict) and item.get("name")}
        built = {layer.name: layer for layer in model.layers}
        for layer in solution.layers:
            if layer.name in given and "." not in layer.name and not layer.shares:
                assert layer.name in built, f"{where}\nno Keras layer named {layer.name!r}: {sorted(built)}"
                assert built[layer.name].count_params() == layer.params, where
    assert counts == own, where
    assert total == solution.total_params, where
    assert shape == tuple(solution.output_shape), where
    for question in questions:
        if question.kind is QuestionKind.TOTAL_PARAMS:
            assert question.answer == total, f"{where}\nquestion {question.id}"
        elif question.kind is QuestionKind.PARAMS and question.layer is not None:
            module = by_name.get(solution.layers[question.layer].name)
            if module is not None:
                assert question.answer == sum(p.numel() for p in module.parameters()), f"{where}\nquestion {question.id}"
            assert (question.answer, int(solution.layers[question.layer].trainable.value)) in counts, f"{where}\nquestion {question.id}"


def test_inferred_pytorch_arguments_are_written_as_lazy_modules() -> None:
    """nn.Linear(out_features=120) does not run; nn.LazyLinear(120) runs and keeps 400 a question."""
    mapping = {"framework": "pytorch", "input_shape": [16, 5, 5],
               "layers": [{"Conv2d": {"out_channels": 16, "kernel_size": 1}}, {"BatchNorm2d": {}}, {"Flatten": {}},
                          {"Linear": {"out_features": 120}}, {"Linear": {"in_features": 120, "out_features": 84}}]}
    code = write_model_code(mapping)
    assert "nn.LazyConv2d(16, kernel_size=1)" in code and "nn.LazyBatchNorm2d()" in code
    assert "nn.LazyLinear(120)" in code and "nn.Linear(120, 84)" in code and "400" not in code
    assert "model(torch.zeros(2, 16, 5, 5))" in code


@pytest.mark.oracle
def test_printed_code_runs_a_batchnorm_after_pooling() -> None:
    """LazyBatchNorm1d after global pooling: one sample gives one value per channel, which PyTorch refuses to
    normalise in training mode, so the printed dry run must use more than one."""
    mapping = {"framework": "pytorch", "input_shape": [3, 8, 8],
               "layers": [{"Conv2d": {"out_channels": 4, "kernel_size": 3}}, {"AdaptiveAvgPool2d": {"output_size": 1}},
                          {"Flatten": {}}, {"BatchNorm1d": {}}, {"Linear": {"out_features": 10}}]}
    model = _run(write_model_code(mapping))
    assert sum(p.numel() for p in model.parameters()) == 112 + 8 + 50
    graph = {"framework": "pytorch", "input_shape": [3, 8, 8],
             "layers": [{"name": "conv", "Conv2d": {"out_channels": 4, "kernel_size": 3}},
                        {"name": "pool", "AdaptiveAvgPool2d": {"output_size": 1}, "inputs": ["conv"]},
                        {"name": "flat", "Flatten": {}}, {"name": "bn", "BatchNorm1d": {}},
                        {"name": "a", "Linear": {"out_features": 4}, "inputs": ["bn"]},
                        {"name": "b", "Linear": {"out_features": 4}, "inputs": ["bn"]},
                        {"name": "sum", "torch.add": {}, "inputs": ["a", "b"]}]}
    model = _run(write_model_code(graph))
    assert sum(p.numel() for p in model.parameters()) == 112 + 8 + 20 + 20
