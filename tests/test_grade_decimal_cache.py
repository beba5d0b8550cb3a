"""Decimal answers (memory, ratio) are read once per distinct text and key value in a grading run
(issue 15: Fraction arithmetic made them the grader's slowest kind), with the same verdicts."""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

from test_families import MEM, one_question

from quizgen.grading.model import Verdict
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


def test_a_verdict_is_judged_once_per_text_and_key_values_and_explained_from_the_question_graded(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    # A copy with the same values (another student's Question object) but its own wording.
    reworded = dataclasses.replace(q, id="q2", mistakes=tuple(
        dataclasses.replace(m, explanation={"en": "reworded: " + m.explanation["en"]}) for m in q.mistakes))
    grader = Grader()
    first = [grader.grade(q, text) for text in TEXTS]
    judged = len(grader._decimal_verdicts)
    again = [grader.grade(reworded, text) for text in TEXTS]
    assert len(grader._decimal_verdicts) == judged  # the same values: no new judgement
    fresh = [Grader().grade(reworded, text) for text in TEXTS]
    assert again == fresh
    assert [a.verdict for a in again] == [a.verdict for a in first]
    assert any(a.explanation.startswith("reworded: ") for a in again if a.verdict is Verdict.MISTAKE)


def test_other_mistake_values_or_tolerance_are_judged_again(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    hit = next(m for m in q.mistakes if not m.cell)
    grader = Grader()
    assert grader.grade(q, str(hit.value)).verdict is Verdict.MISTAKE
    without = dataclasses.replace(q, mistakes=tuple(m for m in q.mistakes if m.value != hit.value))
    assert grader.grade(without, str(hit.value)).verdict is Verdict.WRONG
    coarse = dataclasses.replace(q, details={**q.details, "decimals": 0})
    near = str(Fraction(q.details["exact"]) + Fraction(3, 10))  # right to 0 places, not to the key's places
    assert Grader().grade(q, near).verdict is not Verdict.CORRECT
    assert grader.grade(coarse, near).verdict is Verdict.CORRECT
    assert grader.grade(q, near) == Grader().grade(q, near)


def test_an_unhashable_value_in_a_hand_edited_key_is_judged_without_the_cache(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    odd = dataclasses.replace(q, details={**q.details, "decimals": [2]})  # read as 0 places
    grader = Grader()
    assert grader.grade(odd, TEXTS[0]) == Grader().grade(odd, TEXTS[0])
    assert grader._decimal_verdicts == {}


def test_a_right_answer_is_judged_without_the_mistakes(tmp_path: Path) -> None:
    q = one_question(tmp_path, MEM.format(extra="of: weights\n    unit: KiB"))
    fewer = dataclasses.replace(q, mistakes=q.mistakes[1:])  # another variant's mistakes, the same answer
    grader = Grader()
    right = TEXTS[0]
    assert grader.grade(q, right).verdict is Verdict.CORRECT
    assert grader.grade(fewer, right).verdict is Verdict.CORRECT
    assert len(grader._decimal_right) == 1  # one judgement for both questions
    assert grader._decimal_verdicts == {}  # no mistake was looked at
