"""`quizgen solve` start to finish, against torchinfo and a bare interpreter (issues 2 and 15).

Goals (wall time, interpreter start included, best of the rounds): VGG16 ≤ 0.10 s and at least
20× faster than PyTorch + torchinfo `summary` on the same network in a fresh interpreter (the
peer runs where torch and torchinfo are installed: the `oracle` extra); `quizgen --version` and
a one-layer solve ≤ 0.08 s. Each test prints its ratio to its baseline measured in the same run.

Run: python -m pytest tests/benchmarks/bench_solve.py --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import importlib.util
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_benchmark.fixture import BenchmarkFixture

from quizgen import load_spec, solve

ROOT = Path(__file__).resolve().parent.parent.parent
SPECS = ROOT / "tests" / "fixtures" / "specs"
VGG16 = SPECS / "vgg16.yaml"
VGG16_TORCH = SPECS / "vgg16-torch.yaml"
ONE_LAYER = "framework: keras\ninput_shape: [28, 28, 1]\nlayers:\n  - Conv2D: {filters: 32, kernel_size: 3}\n"
# As a user runs it: with Python's bytecode cache (pip writes it at install, an editable or source tree
# on its first run). PYTHONDONTWRITEBYTECODE, set in some shells and sandboxes, would have every timed
# run compile quizgen's modules from source again (about 25 ms of a 60 ms VGG16 solve), while the peer's
# packages come with theirs; the warm-up round writes the cache.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": str(ROOT)}

# The same VGG16 as vgg16-torch.yaml, built in PyTorch and summarized by torchinfo.
TORCHINFO_VGG16 = """
import torch.nn as nn
from torchinfo import summary
cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
layers, c = [], 3
for v in cfg:
    if v == "M":
        layers.append(nn.MaxPool2d(2, 2))
    else:
        layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
        c = v
model = nn.Sequential(*layers, nn.AdaptiveAvgPool2d((7, 7)), nn.Flatten(), nn.Linear(25088, 4096), nn.ReLU(True), nn.Dropout(),
                      nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
stats = summary(model, input_size=(1, 3, 224, 224), verbose=0)
assert stats.total_params == 138357544, stats.total_params
print(stats)
"""


def _run(args: list[str]) -> None:
    subprocess.run(args, check=True, capture_output=True, cwd=ROOT, env=ENV)


def _best_of(args: list[str], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        _run(args)
        best = min(best, time.perf_counter() - started)
    return best


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(benchmark: BenchmarkFixture, args: list[str]) -> float:
    """Benchmark the command (7 rounds after a warm-up); its CPU time a run, which a busy machine distorts less than wall time."""
    cpu = _children_cpu()
    benchmark.pedantic(_run, args=(args,), rounds=7, iterations=1, warmup_rounds=1)
    return (_children_cpu() - cpu) / 8


def _report(benchmark: BenchmarkFixture, what: str, goal: float, baseline_name: str, baseline: float, cpu: float) -> float:
    assert benchmark.stats is not None
    best = float(benchmark.stats.stats.min)
    benchmark.extra_info.update({"best_s": round(best, 4), "cpu_s": round(cpu, 4), "baseline": baseline_name,
                                 "baseline_s": round(baseline, 4), "ratio": round(baseline / best, 2)})
    print(f"\n{what}: best {best:.3f} s, mean {benchmark.stats.stats.mean:.3f} s, cpu {cpu:.3f} s a run (goal ≤ {goal} s); "
          f"{baseline_name}: {baseline:.3f} s, ratio {baseline / best:.2f}×")
    return best


def test_solve_vgg16_torch_against_torchinfo(benchmark: BenchmarkFixture) -> None:
    if importlib.util.find_spec("torchinfo") is None or importlib.util.find_spec("torch") is None:
        pytest.skip("the peer needs torch and torchinfo (pip install -e '.[oracle]')")
    peer = _best_of([sys.executable, "-c", TORCHINFO_VGG16], 2)
    cpu = _timed(benchmark, [sys.executable, "-m", "quizgen", "solve", str(VGG16_TORCH)])
    best = _report(benchmark, "quizgen solve VGG16 (PyTorch spec)", 0.10, "PyTorch + torchinfo summary", peer, cpu)
    assert best <= 0.10
    assert peer / best >= 20


def test_solve_vgg16_keras_cli(benchmark: BenchmarkFixture) -> None:
    bare = _best_of([sys.executable, "-c", "pass"], 5)
    cpu = _timed(benchmark, [sys.executable, "-m", "quizgen", "solve", str(VGG16)])
    assert _report(benchmark, "quizgen solve VGG16 (Keras spec)", 0.10, "python -c pass", bare, cpu) <= 0.10


def test_version(benchmark: BenchmarkFixture) -> None:
    bare = _best_of([sys.executable, "-c", "pass"], 5)
    cpu = _timed(benchmark, [sys.executable, "-m", "quizgen", "--version"])
    assert _report(benchmark, "quizgen --version", 0.08, "python -c pass", bare, cpu) <= 0.08


def test_solve_one_layer(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    spec = tmp_path / "one.yaml"
    spec.write_text(ONE_LAYER, encoding="utf-8")
    bare = _best_of([sys.executable, "-c", "pass"], 5)
    cpu = _timed(benchmark, [sys.executable, "-m", "quizgen", "solve", str(spec)])
    assert _report(benchmark, "quizgen solve, one Conv2D layer", 0.08, "python -c pass", bare, cpu) <= 0.08


def test_solve_vgg16_in_process(benchmark: BenchmarkFixture) -> None:
    spec = load_spec(VGG16)
    result = benchmark(solve, spec)
    assert result.total_params == 138357544
