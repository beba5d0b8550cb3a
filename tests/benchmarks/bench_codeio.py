"""Reading model code with the safe interpreter (issue 13).

Rows (library call, best of the rounds): the torchvision-style ResNet-50 fixture, read and traced
into a 175-node graph and solved per node as it is traced, ≤ 1 s; a hostile nested loop refused by
the step budget ≤ 1 s.

Run: python -m pytest tests/benchmarks/bench_codeio.py --benchmark-only -p no:cacheprovider
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from quizgen.codeio import read_model_code
from quizgen.errors import CodeReadError

RESNET = (Path(__file__).resolve().parent.parent / "fixtures" / "codeio" / "torchvision_style_resnet.py").read_text(encoding="utf-8")
NESTED_LOOPS = ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n        n = 0\n"
                "        for i in range(10000):\n            for j in range(10000):\n                n += 1\n"
                "    def forward(self, x):\n        return x\nm = M()\n")


def test_read_resnet50(benchmark: BenchmarkFixture) -> None:
    read = benchmark(read_model_code, RESNET, "resnet.py", (3, 224, 224), model="resnet50")
    assert len(read.spec["layers"]) > 150  # type: ignore[arg-type]
    assert benchmark.stats is not None and benchmark.stats["min"] < 1.0


def test_refuse_nested_loops(benchmark: BenchmarkFixture) -> None:
    def refuse() -> str:
        with pytest.raises(CodeReadError) as caught:
            read_model_code(NESTED_LOOPS, "m.py", (3, 8, 8))
        return str(caught.value)

    assert "steps" in benchmark(refuse)
    assert benchmark.stats is not None and benchmark.stats["min"] < 1.0
