"""Decimal answers (memory, ratio) are read once per distinct text and key value in a grading run
(issue 15: Fraction arithmetic made them the grader's slowest kind), with the same verdicts."""

from __future__ import annotations

from pathlib import Path

from test_families import MEM, one_question

from quizgen.grading.score import Grader

TEXTS = ["642.04", "642.04 KiB", "642.039", "642", "657.45", "657.45 KB", "641.91", "", "about a lot"]


def test_one_grader_reads_each_text_once_and_grades_as_fresh_graders_do(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    fresh = [Grader().grade(q, text) for text in TEXTS]
    shared = Grader()
    for _ in range(3):
        assert [shared.grade(q, text) for text in TEXTS] == fresh
        assert [shared.grade(q, text) for text in reversed(TEXTS)] == fresh[::-1]
    assert sorted(shared._decimals) == sorted(TEXTS)  # one parse per distinct text, blanks and unreadable ones too
    assert len(shared._fractions) == 1 + len({m.value for m in q.mistakes if not m.cell})  # the answer and each mistake value
