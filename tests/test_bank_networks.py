"""A bank's ``networks:`` section: a network written once and named by its questions (``network: lenet``).

`bank from-code` copied the whole network into each question (49 copies, 390 KB for a small ResNet),
so randomizing it by hand meant editing every copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from quizgen.bank import load_bank
from quizgen.cli import app
from quizgen.errors import BankError
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students

SHARED = """\
title: Shared
networks:
  small:
    keras:
      input_shape: [$h, $h, 3]
      layers:
        - Conv2D: {filters: $f, kernel_size: 3}
        - Flatten: {}
        - Dense: {units: 10}
    pytorch:
      input_shape: [3, $h, $h]
      layers:
        - Conv2d: {in_channels: 3, out_channels: $f, kernel_size: 3}
        - Flatten: {}
        - Linear: {in_features: {expr: "f * (h - 2) * (h - 2)"}, out_features: 10}
questions:
  - id: conv
    kind: params
    params: {f: {choice: [8, 16]}, h: {choice: [8, 10]}}
    network: small
    layer: 0
  - id: dense
    kind: params
    params: {f: {choice: [4, 32]}, h: {choice: [12]}}
    network: small
    layer: -1
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_questions_naming_one_network_each_draw_their_own_parameters(tmp_path: Path) -> None:
    bank = load_bank(_write(tmp_path, SHARED.replace('{expr: "f * (h - 2) * (h - 2)"}', "$n").replace(
        "h: {choice: [8, 10]}}", 'h: {choice: [8, 10]}, n: {expr: "f * (h - 2) * (h - 2)"}}').replace(
        "h: {choice: [12]}}", 'h: {choice: [12]}, n: {expr: "f * (h - 2) * (h - 2)"}}')))
    exam, _ = generate_exam([bank], 1, numbered_students(12))
    answers: dict[str, set[int]] = {"conv": set(), "dense": set()}
    for student in exam.variants:
        for question in student.questions:
            answers[question.template].add(int(question.answer))
    assert answers["conv"] <= {3 * 3 * 3 * f + f for f in (8, 16)} and len(answers["conv"]) == 2
    assert answers["dense"] <= {f * 10 * 10 * 10 + 10 for f in (4, 32)} and len(answers["dense"]) == 2


@pytest.mark.parametrize(("old", "new", "message"), [
    ("network: small\n    layer: -1", "network: smal\n    layer: -1",
     "line 25: question dense: no network named 'smal' in the bank's networks: section; did you mean 'small'?"),
    ("h: {choice: [12]}}", "g: {choice: [12]}}",
     "line 25: question dense: network 'small' uses $h, which this question's params: does not define"),
    ("networks:\n  small:", "networks:\n  - small:", "line 3: networks must map a name to a network"),
    ("  small:\n    keras:", "  small: 3\n  x:\n    keras:", "line 3: networks: small: a network must be a mapping"),
])
def test_a_wrong_shared_network_is_one_line_naming_where(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = SHARED.replace('{expr: "f * (h - 2) * (h - 2)"}', "120")
    assert old in text
    with pytest.raises(BankError) as raised:
        load_bank(_write(tmp_path, text.replace(old, new)))
    assert message in str(raised.value)


def test_a_network_name_without_a_networks_section_says_so(tmp_path: Path) -> None:
    text = "title: t\nquestions:\n  - id: q\n    kind: params\n    network: lenet\n    layer: 0\n"
    with pytest.raises(BankError, match="line 5: question q: network 'lenet' names a shared network, but the bank has no networks: section"):
        load_bank(_write(tmp_path, text))


def test_an_error_inside_a_shared_network_names_its_own_line(tmp_path: Path) -> None:
    text = SHARED.replace('{expr: "f * (h - 2) * (h - 2)"}', "120").replace("kernel_size: 3}\n        - Flatten", "kernel_sise: 3}\n        - Flatten", 1)
    with pytest.raises(BankError) as raised:
        load_bank(_write(tmp_path, text))
    assert "line 7:" in str(raised.value) and "kernel_sise" in str(raised.value)


def test_bank_from_code_writes_the_network_once(tmp_path: Path) -> None:
    source = ("import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
              "        self.c1 = nn.Conv2d(3, 8, 3)\n        self.c2 = nn.Conv2d(8, 8, 3)\n        self.fc = nn.Linear(8 * 4 * 4, 2)\n\n"
              "    def forward(self, x):\n        return self.fc(torch.flatten(self.c2(self.c1(x)), 1))\n")
    path = tmp_path / "net.py"
    path.write_text(source, encoding="utf-8")
    out = tmp_path / "bank.yaml"
    result = CliRunner().invoke(app, ["bank", "from-code", str(path), "--input-shape", "3,8,8", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.count("Conv2d") == 2  # once per layer: the network is not repeated per question
    data = yaml.safe_load(text)
    assert list(data["networks"]) == ["net"] and len(data["questions"]) >= 5
    assert {question["network"] for question in data["questions"]} == {"net"}
    exam, _ = generate_exam([load_bank(out)], 1, numbered_students(1))
    total = next(q for q in exam.variants[0].questions if q.template == "net-total")
    assert int(total.answer) == (3 * 9 * 8 + 8) + (8 * 9 * 8 + 8) + (128 * 2 + 2)
