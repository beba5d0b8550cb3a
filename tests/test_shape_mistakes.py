"""Shape mistakes that copy the input's size into the output: diagnosed by value and by the grader."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizgen.bank import load_bank
from quizgen.generate import generate_exam
from quizgen.grading.model import Verdict
from quizgen.grading.score import Grader
from quizgen.mistakes import Quantity, layer_mistakes
from quizgen.roster import numbered_students
from quizgen.solver import ModelSolution, solve
from quizgen.spec import parse_spec


def model(framework: str, shape: list[Any], *layers: dict[str, Any]) -> ModelSolution:
    return solve(parse_spec({"framework": framework, "input_shape": shape, "layers": list(layers)}))


def singles(solution: ModelSolution, index: int, quantity: Quantity) -> dict[str, Any]:
    layer = solution.layers[index]
    answer: Any = list(layer.output_shape) if quantity.kind == "shape" else layer.output_shape[quantity.axis or 0]
    return {code: m.value for m in layer_mistakes(solution, index, quantity, answer) for code in m.codes if "+" not in code}


def test_conv_keeping_the_input_channels() -> None:
    keras = model("keras", [22, 22, 16], {"Conv2D": {"filters": 32, "kernel_size": 3}})
    assert singles(keras, 0, Quantity("shape"))["kept_input_channels"] == [20, 20, 16]
    assert singles(keras, 0, Quantity("dim", 2))["kept_input_channels"] == 16
    assert "kept_input_channels" not in singles(keras, 0, Quantity("dim", 0))
    torch = model("pytorch", [16, 22, 22], {"Conv2d": {"out_channels": 32, "kernel_size": 3}})
    assert singles(torch, 0, Quantity("shape"))["kept_input_channels"] == [16, 20, 20]
    same = model("keras", [22, 22, 16], {"Conv2D": {"filters": 16, "kernel_size": 3}})
    assert "kept_input_channels" not in singles(same, 0, Quantity("shape"))  # nothing to tell apart


def test_dense_rnn_and_flatten_keeping_input_sizes() -> None:
    net = model("keras", [22, 22, 16], {"Conv2D": {"filters": 32, "kernel_size": 3}}, {"Flatten": {}}, {"Dense": {"units": 10}})
    assert singles(net, 1, Quantity("shape"))["flatten_forgot_channels"] == [400]
    assert singles(net, 2, Quantity("shape"))["kept_input_features"] == [12800]
    lstm = model("pytorch", [18, 10], {"LSTM": {"hidden_size": 64, "batch_first": True}})
    assert singles(lstm, 0, Quantity("shape"))["rnn_kept_input_features"] == [18, 10]


BANK = """
title: shapes
questions:
  - id: conv-shape
    kind: output_shape
    network:
      keras:
        input_shape: [22, 22, 16]
        layers:
          - Conv2D: {filters: 32, kernel_size: 3}
    layer: 0
"""


def test_the_issue_example_is_graded_as_a_known_mistake(tmp_path: Path) -> None:
    (tmp_path / "bank.yaml").write_text(BANK, encoding="utf-8")
    exam, _ = generate_exam([load_bank(tmp_path / "bank.yaml")], 1, numbered_students(1))
    question = exam.variants[0].questions[0]
    grade = Grader().grade(question, "(None, 20, 20, 16)")
    assert grade.verdict is Verdict.MISTAKE
    assert grade.codes == ("kept_input_channels",)
    assert "32" in grade.explanation and "16 input channels" in grade.explanation
