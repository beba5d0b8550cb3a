"""300 students × 10 questions → key.json in under 3 s (issue 3).

The ten templates mix kinds and banks (counts, shapes, summary, inverse, choice, formula).
Run: python -m pytest tests/benchmarks/bench_generate.py --benchmark-only
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pytest_benchmark.fixture import BenchmarkFixture

from quizgen.bank import load_bank
from quizgen.bank.model import Bank
from quizgen.exam import write_key
from quizgen.generate import generate_exam
from quizgen.roster import numbered_students

PICK = {
    "conv-basics": ["conv2d-params", "conv-output-size", "conv2d-choice", "conv2d-formula"],
    "pooling-and-shapes": ["maxpool-output-shape", "flatten-dense-params"],
    "recurrent": ["lstm-params"],
    "compute": ["conv-macs"],
    "inverse": ["find-padding-from-shape"],
    "full-models": ["lenet5-summary"],
}


def ten_question_exam() -> list[Bank]:
    banks = []
    for name, ids in PICK.items():
        bank = load_bank(name)
        banks.append(replace(bank, templates=tuple(t for t in bank.templates if t.id in ids)))
    assert sum(len(b.templates) for b in banks) == 10
    return banks


def test_generate_300_students_10_questions(benchmark: BenchmarkFixture, tmp_path: Path) -> None:
    banks = ten_question_exam()
    students = numbered_students(300)

    def run() -> None:
        exam, _ = generate_exam(banks, 2026, students)
        write_key(exam, tmp_path / "key.json")

    benchmark.pedantic(run, rounds=3, iterations=1)
    assert benchmark.stats is not None and benchmark.stats.stats.mean < 3.0
