"""An export's questions written in two processes (issue 15): the same strings and bytes as in one, the
second half really written by a forked copy, and an error in either half raised here, with no process left."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_export_support import TESTS, small_exam
from test_lms_hostile import hostile_exam

from quizgen.errors import QuizgenError
from quizgen.lms import LmsFormat, export_exam, halves
from quizgen.lms.groups import exam_groups
from quizgen.lms.halves import in_two, in_two_text

ITEMS = list(range(200))


def _no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_two_processes_give_the_same_strings_and_the_copy_writes_the_second_half() -> None:
    here = os.getpid()
    written = in_two(ITEMS, lambda i: f"{i}:{os.getpid()}", jobs=2)
    assert [w.split(":")[0] for w in written] == [str(i) for i in ITEMS]
    pids = [int(w.split(":")[1]) for w in written]
    assert set(pids[:100]) == {here} and here not in pids[100:]
    assert in_two(ITEMS, str, jobs=1) == in_two(ITEMS, str, jobs=2) == [str(i) for i in ITEMS]
    assert _no_child_left()


def test_text_in_two_processes_is_the_same_bytes_and_the_copy_writes_the_second_half() -> None:
    here = os.getpid()
    text = in_two_text(ITEMS, lambda i: f"{i}:{os.getpid()}é;", jobs=2).decode()
    pairs = [item.split(":") for item in text.split(";")[:-1]]
    assert [int(i) for i, _ in pairs] == ITEMS
    assert {pid for _, pid in pairs[:100]} == {f"{here}é"} and f"{here}é" not in {pid for _, pid in pairs[100:]}
    assert in_two_text(ITEMS, lambda i: f"{i}参", jobs=2) == in_two_text(ITEMS, lambda i: f"{i}参", jobs=1) == "".join(
        f"{i}参" for i in ITEMS).encode()
    assert _no_child_left()


@pytest.mark.parametrize("split", [in_two, in_two_text])
@pytest.mark.parametrize("bad", [30, 150])  # in this process's half, in the copy's half
def test_an_error_in_either_half_is_raised_here_and_no_process_is_left(bad: int, split: object) -> None:
    def write(i: int) -> str:
        if i == bad:
            raise ValueError(f"item {i}")
        return str(i)

    with pytest.raises(ValueError, match=f"item {bad}"):
        split(ITEMS, write, jobs=2)  # type: ignore[operator]
    assert _no_child_left()


@pytest.mark.parametrize("fmt", [LmsFormat.MOODLE, LmsFormat.GIFT, LmsFormat.QTI])
def test_an_export_in_two_processes_is_the_same_bytes(fmt: LmsFormat) -> None:
    for exam in (small_exam("en", 40), hostile_exam()):
        assert export_exam(exam, fmt, jobs=2) == export_exam(exam, fmt, jobs=1)


def test_a_network_that_does_not_solve_in_the_copys_half_is_the_same_error() -> None:
    """A key whose last question's network cannot be solved (its diagram needs it): the copy fails, this
    process writes that half again and raises what writing in one process raises."""
    exam = small_exam("en", 40)
    last = exam.variants[-1]
    question = next(q for q in reversed(last.questions) if not q.spec.is_graph)
    layer = question.spec.layers[0]
    broken = dataclasses.replace(question, spec=dataclasses.replace(
        question.spec, layers=(dataclasses.replace(layer, kwargs={**layer.kwargs, "no_such_argument": 1}), *question.spec.layers[1:])))
    exam = dataclasses.replace(exam, variants=(*exam.variants[:-1], dataclasses.replace(
        last, questions=tuple(broken if q is question else q for q in last.questions))))
    entries = [e.question for g in exam_groups(exam) for e in g.entries]
    assert len(entries) >= 64 and entries.index(broken) >= len(entries) // 2  # in the copy's half
    for fmt in (LmsFormat.MOODLE, LmsFormat.QTI):
        with pytest.raises(QuizgenError) as alone:
            export_exam(exam, fmt, jobs=1)
        with pytest.raises(QuizgenError) as split:
            export_exam(exam, fmt, jobs=2)
        assert str(split.value) == str(alone.value) and "no_such_argument" in str(alone.value)
        assert _no_child_left()


def test_a_fork_refused_writes_everything_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    assert in_two(ITEMS, lambda i: f"{i}:{os.getpid()}", jobs=2) == [f"{i}:{os.getpid()}" for i in ITEMS]


@pytest.mark.parametrize("split", ["in_two", "in_two_text"])
def test_the_copy_stops_once_its_parent_is_gone(tmp_path: Path, split: str) -> None:
    """A parent killed outright (SIGKILL) while the copy writes: the copy stops at its next question."""
    marks = tmp_path / "marks"
    script = f"""
import os, signal, time
from quizgen.lms import halves
from quizgen.lms.halves import {split} as in_two, in_two_text
def write(i):
    if i >= 100:
        with open({str(marks)!r}, "a") as f:
            f.write(f"{{i}}\\n")
        if i == 101:
            os.kill(os.getppid(), signal.SIGKILL)
        time.sleep(0.01)
    else:
        time.sleep(1)
    return str(i)
in_two(list(range(200)), write, jobs=2)
"""
    subprocess.run([sys.executable, "-c", script], check=False, env={**os.environ, "PYTHONPATH": str(TESTS.parent)})
    time.sleep(0.5)
    assert 2 <= len(marks.read_text().split()) <= 3  # 100, 101 (and at most the one under way)


@pytest.mark.parametrize(("usable", "load", "jobs"), [(2, 0.2, 2), (2, 1.5, 2), (2, 1.6, 1), (2, 3.9, 1), (1, 0.0, 1), (8, 5.0, 2)])
def test_an_export_forks_only_when_a_core_is_spare(usable: int, load: float, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(halves, "usable_cores", lambda: usable)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert halves.spare_cores() == jobs
