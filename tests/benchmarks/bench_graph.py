"""Graph networks (issue 12): ResNet-50 solved in the time class of VGG16, cost linear in the nodes.

Prints, per network of the zoo, the nodes, the in-process solve time and the time per node,
and the wall time of `quizgen solve` for ResNet-50 beside VGG16 (interpreter start included).

Run: python -m pytest tests/benchmarks/bench_graph.py --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from quizgen.solver import solve
from quizgen.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent.parent
SPECS = ROOT / "tests" / "fixtures" / "specs"
NETWORKS = {"vgg16": SPECS / "vgg16.yaml", "resnet18": SPECS / "zoo" / "resnet18.yaml", "resnet50": SPECS / "zoo" / "resnet50.yaml",
            "densenet121": SPECS / "zoo" / "densenet121.yaml", "vit-b16": SPECS / "vit-b16.yaml"}


@pytest.mark.parametrize("name", list(NETWORKS))
def test_solve_in_process(benchmark: BenchmarkFixture, name: str) -> None:
    spec = load_spec(NETWORKS[name])
    model = benchmark(solve, spec)
    per_node = benchmark.stats.stats.min / len(model.layers)
    print(f"\n{name}: {len(model.layers)} layers, solve {benchmark.stats.stats.min * 1e3:.2f} ms, {per_node * 1e6:.1f} µs a layer")


def _wall(path: Path, rounds: int = 7) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "quizgen", "solve", str(path)], check=True, capture_output=True, cwd=ROOT, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def test_resnet50_beside_vgg16(benchmark: BenchmarkFixture) -> None:
    vgg = _wall(NETWORKS["vgg16"])
    resnet = benchmark.pedantic(_wall, args=(NETWORKS["resnet50"],), rounds=1, iterations=1)
    print(f"\nquizgen solve wall, best of 7: VGG16 {vgg:.3f} s, ResNet-50 {resnet:.3f} s ({resnet / vgg:.2f}×)")
    assert resnet < 2 * vgg
