"""`quizgen solve` on VGG16: under 1 s wall, interpreter start included (issue 2).

Run: python -m pytest tests/benchmarks/bench_solve.py --benchmark-only
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from quizgen import load_spec, solve

VGG16 = Path(__file__).parent.parent / "fixtures" / "specs" / "vgg16.yaml"


def test_solve_vgg16_cli_wall_time(benchmark: BenchmarkFixture) -> None:
    def run() -> None:
        subprocess.run([sys.executable, "-m", "quizgen", "solve", str(VGG16)], check=True, capture_output=True)

    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)
    assert benchmark.stats is not None and benchmark.stats.stats.mean < 1.0


def test_solve_vgg16_in_process(benchmark: BenchmarkFixture) -> None:
    spec = load_spec(VGG16)
    result = benchmark(solve, spec)
    assert result.total_params == 138357544
