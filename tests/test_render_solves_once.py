"""A render solves each distinct network once, and none at all after `generate`, which hands over the
solutions it worked out while drawing the exam (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quizgen.bank import load_bank
from quizgen.bank.sample import SolveCache
from quizgen.generate import generate_exam
from quizgen.render import documents, render_outputs
from quizgen.roster import numbered_students

BANK = Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml"


def _counting_solve(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    calls: list[Any] = []
    real = documents.solve

    def counted(spec: Any) -> Any:
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(documents, "solve", counted)
    return calls


def test_each_distinct_network_is_solved_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exam, _ = generate_exam([load_bank(BANK)], 1, numbered_students(60))
    calls = _counting_solve(monkeypatch)
    render_outputs(exam, tmp_path, {"html"}, jobs=1, shard=None)
    distinct = {id(q.spec) for v in exam.variants for q in v.questions}
    assert len(distinct) < sum(len(v.questions) for v in exam.variants)  # students share variants
    assert len(calls) == len(distinct)


def test_the_solutions_generate_hands_over_are_used_and_give_the_same_pages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    solved: SolveCache = {}
    exam, _ = generate_exam([load_bank(BANK)], 1, numbered_students(6), solved=solved)
    solutions = {id(found[0]): found for found in solved.values() if isinstance(found, tuple)}
    render_outputs(exam, tmp_path / "fresh", {"html"}, jobs=1, shard=None)
    calls = _counting_solve(monkeypatch)
    render_outputs(exam, tmp_path / "handed", {"html"}, jobs=1, shard=None, solved=solutions)
    assert calls == []
    fresh = sorted(p.relative_to(tmp_path / "fresh") for p in (tmp_path / "fresh").rglob("*.html"))
    assert fresh and fresh == sorted(p.relative_to(tmp_path / "handed") for p in (tmp_path / "handed").rglob("*.html"))
    for rel in fresh:
        assert (tmp_path / "fresh" / rel).read_bytes() == (tmp_path / "handed" / rel).read_bytes()
