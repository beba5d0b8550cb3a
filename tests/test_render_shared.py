"""HTML pages rendered by this process and forked helpers together (quizgen/render/shared.py, issue 15):
every item done, the same bytes as one process, a helper's failure redone here so the error is the
one a single process gives, and no helper left running (or writing) after an error or Ctrl-C."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from quizgen.bank import load_bank
from quizgen.errors import KeyFileError
from quizgen.exam import Exam, QuestionKind
from quizgen.generate import generate_exam
from quizgen.render import render_outputs
from quizgen.render.shared import FORK_MIN, share_work, spare_processes
from quizgen.roster import numbered_students

BANK = Path(__file__).parent / "benchmarks" / "conv2d-x10.yaml"
ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="helpers fork where the system can; checked on Linux")


def _children() -> set[str]:
    """This process's child processes (Linux), by pid: other tests leave some (a PDF pool's fork server)."""
    found: set[str] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        found |= set((task / "children").read_text(encoding="utf-8").split())
    return found


@pytest.fixture(autouse=True)
def no_helper_outlives_a_call() -> Iterator[None]:
    before = _children()
    yield
    assert _children() <= before, "a helper process is still running"


def _marking(folder: Path, fail_at: frozenset[int] = frozenset(), fail_in_helpers: bool = False) -> Callable[[int, int], None]:
    """work(start, stop) that writes one file per item, naming the process that did it."""
    me = os.getpid()

    def work(start: int, stop: int) -> None:
        for item in range(start, stop):
            if item in fail_at or (fail_in_helpers and os.getpid() != me):
                raise ValueError(f"item {item} failed")
            (folder / f"{item:03}").write_text(str(os.getpid()), encoding="utf-8")

    return work


def test_every_item_is_done_once_and_the_helper_takes_some(tmp_path: Path) -> None:
    alongside: list[int] = []
    share_work(40, _marking(tmp_path), processes=2, alongside=lambda: (alongside.append(1), time.sleep(0.3)))
    done = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert sorted(done) == [f"{i:03}" for i in range(40)]
    assert alongside == [1]
    assert set(done.values()) - {str(os.getpid())}, "no item was done by a helper: nothing was shared"


@pytest.mark.parametrize(("count", "processes"), [(40, 1), (FORK_MIN - 1, 2)])
def test_one_process_or_few_items_fork_nothing(tmp_path: Path, count: int, processes: int) -> None:
    order: list[str] = []
    share_work(count, _marking(tmp_path), processes=processes, alongside=lambda: order.append("alongside"))
    pids = {p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert len(list(tmp_path.iterdir())) == count and pids == {str(os.getpid())} and order == ["alongside"]


def test_a_failing_helper_costs_time_not_items(tmp_path: Path) -> None:
    """A helper that fails (here: every helper, at once) is redone here: all items, by this process."""
    share_work(40, _marking(tmp_path, fail_in_helpers=True), processes=2, alongside=lambda: time.sleep(0.2))
    done = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert sorted(done) == [f"{i:03}" for i in range(40)] and set(done.values()) == {str(os.getpid())}


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_the_error_is_the_first_one_in_order_whoever_met_it(tmp_path: Path, processes: int) -> None:
    with pytest.raises(ValueError, match=r"^item 13 failed$"):
        share_work(40, _marking(tmp_path, fail_at=frozenset({13, 31})), processes=processes)


def test_an_error_or_ctrl_c_here_stops_the_helpers_before_it_propagates(tmp_path: Path) -> None:
    def slow(start: int, stop: int) -> None:
        for item in range(start, stop):
            time.sleep(0.02)
            (tmp_path / f"{item:03}").write_text("", encoding="utf-8")

    def interrupted() -> None:
        time.sleep(0.1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        share_work(200, slow, processes=2, alongside=interrupted)
    written = len(list(tmp_path.iterdir()))
    assert 0 < written < 200  # the helper had started, and was stopped
    time.sleep(0.3)
    assert len(list(tmp_path.iterdir())) == written  # and writes nothing afterwards


def _pages(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.html"))}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_are_the_same_bytes_in_one_process_and_in_several(tmp_path: Path, lang: str) -> None:
    exam, _ = generate_exam([load_bank(BANK)], 5, numbered_students(30), lang=lang)
    one = render_outputs(exam, tmp_path / "one", {"html"}, jobs=1, shard=None)
    three = render_outputs(exam, tmp_path / "three", {"html"}, jobs=3, shard=None)
    assert [Path(p).relative_to(tmp_path / "one") for p in one] == [Path(p).relative_to(tmp_path / "three") for p in three]
    assert len(one) == 60 and _pages(tmp_path / "one") == _pages(tmp_path / "three")


def _broken(exam: Exam, student: int) -> Exam:
    """The exam with one question of one late student that cannot be drawn (a hidden value without its place)."""
    variants = list(exam.variants)
    victim = variants[student]
    question = dataclasses.replace(victim.questions[0], kind=QuestionKind.MISSING_HYPERPARAMETER, details={})
    variants[student] = dataclasses.replace(victim, questions=[question, *victim.questions[1:]])
    return dataclasses.replace(exam, variants=variants)


def test_a_page_error_in_a_helper_is_the_single_process_error(tmp_path: Path) -> None:
    exam, _ = generate_exam([load_bank(BANK)], 5, numbered_students(30))
    broken = _broken(exam, 25)  # far from the first chunk, which this process may take after its own job
    with pytest.raises(KeyFileError) as alone:
        render_outputs(broken, tmp_path / "one", {"html"}, jobs=1, shard=None)
    with pytest.raises(KeyFileError) as shared:
        render_outputs(broken, tmp_path / "two", {"html"}, jobs=2, shard=None, alongside=lambda: time.sleep(0.3))
    assert str(shared.value) == str(alone.value) and "S026" in str(alone.value)


def test_cli_a_render_error_is_one_line_and_exit_1_with_helpers(tmp_path: Path) -> None:
    from quizgen.exam import write_key

    exam, _ = generate_exam([load_bank(BANK)], 5, numbered_students(30))
    write_key(_broken(exam, 25), tmp_path / "key.json")
    results = [subprocess.run([sys.executable, "-m", "quizgen", "render", str(tmp_path), "--format", "html", "--jobs", jobs],
                              env=ENV, capture_output=True, text=True, timeout=300, check=False) for jobs in ("1", "2")]
    for result in results:
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "S026" in result.stderr
    assert results[0].stderr == results[1].stderr
    assert not (tmp_path / "students").exists()  # nothing of the failed run landed


@pytest.mark.slow
def test_generate_html_interrupted_by_ctrl_c_leaves_the_folder_whole_and_no_helper_writing(tmp_path: Path) -> None:
    from test_outdir_cli import finish, interrupt_once_writing, outputs

    from quizgen.outdir import STATE_DIR

    exam = tmp_path / "exam"
    first = ["generate", str(BANK), "--seed", "3", "--count", "300", "--format", "key,html", "--jobs", "2"]
    finish([*first, "--out", str(exam)])
    before = outputs(exam)
    result = interrupt_once_writing([*first, "--title", "Second try", "--out", str(exam)], exam, ".html")
    assert result.returncode == 130 and "interrupted: nothing of this run was written" in result.stderr, result.stderr
    time.sleep(0.5)  # a helper still alive would go on writing (and make its folder again)
    assert outputs(exam) == before
    # The signal went to the main process only (as `kill -INT` does): it stopped its helpers itself.
    assert [p.name for p in (exam / STATE_DIR).iterdir() if p.name.startswith("stage-")] == []


def test_more_processes_than_cores_or_chunks_still_do_each_item_once(tmp_path: Path) -> None:
    share_work(30, _marking(tmp_path), processes=12)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i:03}" for i in range(30)]


def test_a_helper_stops_soon_after_its_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL (or an unhandled SIGTERM) ends the main process without a word to its helpers: they stop
    at their next chunk instead of filling an orphaned stage."""
    script = f"""
import time
from pathlib import Path
from quizgen.render.shared import share_work

def work(start, stop):
    for item in range(start, stop):
        time.sleep(0.02)
        (Path({str(tmp_path)!r}) / f"{{item:04}}").write_text("")

share_work(400, work, processes=2, alongside=lambda: time.sleep(60))
"""
    process = subprocess.Popen([sys.executable, "-c", script], env=ENV)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()
    process.wait()
    time.sleep(0.6)  # a chunk is 400 / 32 items of 0.02 s: 0.26 s
    settled = len(list(tmp_path.iterdir()))
    time.sleep(0.6)
    assert len(list(tmp_path.iterdir())) == settled < 100  # alone, the helper would do all 400 in 8 s


@pytest.mark.parametrize("refused", ["fork", "pipe"])
def test_a_refused_fork_or_pipe_does_everything_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    """No more processes or file descriptors (EAGAIN, EMFILE): the work is done all the same, in this process."""
    def no_more(*args: object) -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, refused, no_more)
    order: list[str] = []
    share_work(40, _marking(tmp_path), processes=2, alongside=lambda: order.append("alongside"))
    done = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert sorted(done) == [f"{i:03}" for i in range(40)] and set(done.values()) == {str(os.getpid())} and order == ["alongside"]


@pytest.mark.parametrize(("load", "cores", "expected"), [(0.2, 2, 2), (1.5, 2, 2), (1.6, 2, 1), (3.9, 2, 1), (3.0, 8, 8), (0.0, 1, 1)])
def test_without_jobs_helpers_are_forked_only_when_a_core_was_idle(monkeypatch: pytest.MonkeyPatch, load: float, cores: int,
                                                                  expected: int) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert spare_processes(cores) == expected


def test_without_a_load_average_the_cores_are_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown() -> tuple[float, float, float]:
        raise OSError("no load average here")

    monkeypatch.setattr(os, "getloadavg", unknown)
    assert spare_processes(2) == 2


@pytest.mark.parametrize(("load", "forks"), [(9.0, 0), (0.1, 1)])
def test_render_without_jobs_follows_the_load(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, load: float, forks: int) -> None:
    from quizgen.render import outputs

    exam, _ = generate_exam([load_bank(BANK)], 5, numbered_students(20))
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    monkeypatch.setattr(outputs, "_cores", lambda: 2)
    real_fork, calls = os.fork, []

    def counted() -> int:
        calls.append(1)
        return real_fork()

    monkeypatch.setattr(os, "fork", counted)
    assert len(render_outputs(exam, tmp_path, {"html"}, jobs=None, shard=None)) == 40
    assert len(calls) == forks
