"""Grading a huge responses file: 1,000,000 rows (about 167 MB of CSV) against a key of 1,000 students,
with flat memory (issue 14, item 9).

Half the rows are strangers (unknown ids), the rest repeated attempts of the key's students, and
one row in 997 is short. `quizgen grade` runs in a child process so its peak RSS is its own
(resource.getrusage of the children); the same run on 2,000 rows gives the memory that the key
and the outputs need whatever the file's size. Printed: time, peak RSS of both, size of problems.csv.

    python -m pytest tests/benchmarks/bench_grade_stream.py --benchmark-only -p no:cacheprovider -s
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import pytest

from quizgen.exam import write_key

ROWS = 1_000_000
STUDENTS = 1_000
SMALL = 2_000
MAX_GROWTH = 1.25  # peak RSS for 1 M rows against that for 2,000: the file must not be held


def _write(path: Path, rows: int, exam: object) -> None:
    from fixtures.grading.answers import correct_text

    variants = exam.variants  # type: ignore[attr-defined]
    ids = [q.id for q in variants[0].questions]
    answers = [correct_text(q) for q in variants[0].questions]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student_id", "timestamp", *ids])
        for i in range(rows):
            k = i % (2 * STUDENTS)
            sid = variants[k].student_id if k < STUDENTS else f"X{i:07d}"
            row = [sid, f"2024-01-01 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}", *answers]
            writer.writerow(row[:4] if i % 997 == 5 else row)


def _grade(key: Path, responses: Path, out: Path) -> tuple[float, int]:
    """Seconds and peak RSS (bytes) of `quizgen grade` in a child process of its own."""
    code = ("import resource, sys; from quizgen.cli import app; sys.argv = ['quizgen', *sys.argv[1:]]\n"
            "try:\n    app()\nexcept SystemExit as e:\n    code = e.code\n"
            "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)")
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, "grade", str(key), str(responses), "--out", str(out)],
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    peak = int(done.stderr.rsplit("PEAK ", 1)[1].split()[0]) * 1024  # Linux: KiB
    return seconds, peak


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    from fixtures.grading.answers import BANK, make_exam

    base = tmp_path_factory.mktemp("stream")
    exam = make_exam(BANK, count=STUDENTS)
    write_key(exam, base / "key.json")
    _write(base / "big.csv", ROWS, exam)
    _write(base / "small.csv", SMALL, exam)
    return base / "key.json", base / "big.csv", base / "small.csv"


def test_grade_a_million_rows(benchmark: pytest.FixtureRequest, files: tuple[Path, Path, Path], tmp_path: Path) -> None:
    key, big, small = files
    _, small_peak = _grade(key, small, tmp_path / "small")
    measured: dict[str, float] = {}

    def run() -> None:
        measured["seconds"], measured["peak"] = _grade(key, big, tmp_path / "big")

    benchmark.pedantic(run, rounds=1, iterations=1)  # type: ignore[attr-defined]
    problems = (tmp_path / "big" / "problems.csv").stat().st_size
    print(f"\n{ROWS:,} rows ({big.stat().st_size / 1e6:.0f} MB): {measured['seconds']:.1f} s, peak RSS "
          f"{measured['peak'] / 2**20:.0f} MiB (2,000 rows: {small_peak / 2**20:.0f} MiB), problems.csv {problems / 1e3:.0f} kB")
    assert measured["peak"] < MAX_GROWTH * small_peak
    assert problems < 2_000_000
