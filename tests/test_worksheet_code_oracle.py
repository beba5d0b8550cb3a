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
from functools import cache
from math import prod
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.codeio import write_model_code
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


def _torch_counts(model: Any, spec: NetworkSpec) -> tuple[list[tuple[int, int]], tuple[int, ...]]:
    import torch

    with torch.no_grad():
        out = model(torch.zeros(1, *spec.input_shape))  # materialises any Lazy module left (the code runs one batch too)
    out = out[0] if isinstance(out, tuple) else out
    layers = list(model.children())
    counts = [(sum(p.numel() for p in m.parameters()), sum(p.numel() for p in m.parameters() if p.requires_grad)) for m in layers]
    return counts, tuple(out.shape[1:])


def _keras_counts(model: Any) -> tuple[list[tuple[int, int]], tuple[int, ...]]:
    counts = [(layer.count_params(), sum(int(prod(w.shape)) for w in layer.trainable_weights)) for layer in model.layers]
    return counts, tuple(model.output_shape[1:])


@pytest.mark.parametrize("bank", BANKS)
def test_worksheet_code_runs_and_matches_the_key(bank: str) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("keras")
    networks = _networks(bank)
    assert networks
    for spec, questions in networks:
        code = write_model_code(spec_to_mapping(spec))
        assert html.unescape(str(_code(spec, None))) == code  # exactly what the worksheet prints
        solution = solve(spec)
        where = f"{bank}: {questions[0].id} ({spec.framework.value})\n{code}"
        model = _run(code)
        if spec.framework.value == "pytorch":
            counts, output = _torch_counts(model, spec)
        else:
            counts, output = _keras_counts(model)
        expected = [(layer.params, int(layer.trainable.value)) for layer in solution.layers]
        assert counts == expected, where
        assert sum(total for total, _ in counts) == solution.total_params, where
        assert output == tuple(solution.output_shape), where
        for question in questions:  # the key's own answers about counts, where the question asks one
            if question.kind in (QuestionKind.PARAMS, QuestionKind.TOTAL_PARAMS) and isinstance(question.answer, int):
                asked = counts[question.layer][0] if question.layer is not None else sum(c for c, _ in counts)
                assert question.answer == asked, f"{where}\nquestion {question.id}"


def test_inferred_pytorch_arguments_are_written_as_lazy_modules() -> None:
    """nn.Linear(out_features=120) does not run; nn.LazyLinear(120) runs and keeps 400 a question."""
    mapping = {"framework": "pytorch", "input_shape": [16, 5, 5],
               "layers": [{"Conv2d": {"out_channels": 16, "kernel_size": 1}}, {"BatchNorm2d": {}}, {"Flatten": {}},
                          {"Linear": {"out_features": 120}}, {"Linear": {"in_features": 120, "out_features": 84}}]}
    code = write_model_code(mapping)
    assert "nn.LazyConv2d(16, kernel_size=1)" in code and "nn.LazyBatchNorm2d()" in code
    assert "nn.LazyLinear(120)" in code and "nn.Linear(120, 84)" in code and "400" not in code
    assert "model(torch.zeros(1, 16, 5, 5))" in code
