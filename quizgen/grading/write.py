"""Write every output of a grading run into one directory, atomically and reproducibly.

Every file is written to a temporary name and renamed into place, so a reader (or a crash)
never sees half a file. A feedback page whose bytes are already on disk is left alone: re-runs
with the same inputs touch nothing, and on file systems where creating and deleting files is
slow (ext4 mounted with discard: ~0.2 ms a file) that keeps 10,000 pages fast. Pages of students
no longer in the key are removed. Pages are written by a second thread while the next ones are
rendered, so file-system time overlaps the rendering.
"""

from __future__ import annotations

__all__ = ["OUTPUT_FILES", "page_names", "write_outputs"]

import itertools
import multiprocessing
import os
import queue
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..atomic import write_text_atomic
from ..errors import Location, QuizgenError
from .engine import no_cyclic_gc
from .model import GradingResult
from .pages import FeedbackPages, page_name, report_page
from .tables import canvas_import_csv, feedback_csv, grades_csv, moodle_import_csv, problems_csv

OUTPUT_FILES = ("grades.csv", "feedback.csv", "problems.csv", "report.html", "moodle_grades.csv", "canvas_grades.csv")
PAGES_DIR = "feedback"
MIN_PAGES_PER_JOB = 500  # below this a helper process costs more than it saves


def page_names(result: GradingResult) -> list[str]:
    """Each student's page file name; ids equal but for case get distinct names (case-insensitive file systems)."""
    names, used = [], set()
    for student in result.students:
        name = page_name(student.variant.student_id)
        if name.casefold() in used:
            name = page_name(student.variant.student_id + "\x00")  # forces the hashed form
        used.add(name.casefold())
        names.append(name)
    return names


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_if_changed(path: Path, data: bytes, mode: int) -> None:
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class _Writer(threading.Thread):
    """Writes (path, bytes) items from a bounded queue; file-system calls release the GIL."""

    def __init__(self, mode: int) -> None:
        super().__init__(name="quizgen-page-writer", daemon=True)
        self.items: queue.Queue[tuple[Path, bytes] | None] = queue.Queue(maxsize=256)
        self.mode = mode
        self.error: BaseException | None = None

    def run(self) -> None:
        while (item := self.items.get()) is not None:
            if self.error is None:
                try:
                    _write_if_changed(item[0], item[1], self.mode)
                except BaseException as error:  # handed to the main thread, which re-raises it
                    self.error = error


def _render_range(result: GradingResult, target: Path, names: list[str], start: int, stop: int) -> None:
    pages = FeedbackPages(result)
    writer = _Writer(0o666 & ~_umask())
    writer.start()
    try:
        for student, name in zip(result.students[start:stop], names[start:stop], strict=True):
            writer.items.put((target / name, pages.render(student).encode("utf-8")))
            if writer.error is not None:
                break
    finally:
        writer.items.put(None)
        writer.join()
    if writer.error is not None:
        raise writer.error


def _child(result: GradingResult, target: Path, names: list[str], start: int, stop: int, conn: Connection) -> None:
    try:
        with no_cyclic_gc():
            _render_range(result, target, names, start, stop)
        conn.send("")
    except BaseException as error:  # reported by the parent, which raises it as its own
        conn.send(f"{type(error).__name__}: {error}")
    finally:
        conn.close()


class _Pages:
    """Feedback pages of one run, split between this process and forked helpers.

    Rendering is pure Python, so one process uses one core; with many students, forked helpers
    (which inherit the graded result, nothing is pickled) each take a slice while this process
    writes the other outputs and then its own slice.
    """

    def __init__(self, result: GradingResult, target: Path, jobs: int) -> None:
        self.result, self.target = result, target
        self.names = page_names(result)
        count = len(self.names)
        jobs = max(1, min(jobs, count // MIN_PAGES_PER_JOB))
        if jobs > 1 and "fork" not in multiprocessing.get_all_start_methods():
            jobs = 1
        # This process also writes the CSV files and the report: it takes a smaller slice.
        mine = count if jobs == 1 else count // (2 * jobs - 1)
        self.own = (0, mine)
        self.children: list[tuple[BaseProcess, Connection]] = []
        target.mkdir(parents=True, exist_ok=True)
        if jobs > 1:
            context = multiprocessing.get_context("fork")
            bounds = [mine + (count - mine) * i // (jobs - 1) for i in range(jobs)]
            for start, stop in itertools.pairwise(bounds):
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(result, target, self.names, start, stop, sender), daemon=True)
                process.start()
                sender.close()
                self.children.append((process, receiver))

    def finish(self) -> None:
        errors = []
        try:
            _render_range(self.result, self.target, self.names, *self.own)
        finally:
            for process, receiver in self.children:
                try:
                    message = receiver.recv()
                except EOFError:
                    message = f"a page-writing process ended with exit code {process.exitcode}"
                process.join()
                if message:
                    errors.append(message)
        if errors:
            raise QuizgenError(f"cannot write the feedback pages in {self.target}: {errors[0]}")
        keep = set(self.names)
        for old in self.target.iterdir():
            if (old.suffix == ".html" and old.name not in keep) or (old.name.startswith(".") and old.name.endswith(".tmp")):
                old.unlink(missing_ok=True)


def write_outputs(result: GradingResult, out: Path, *, item: str | None = None, jobs: int | None = None) -> list[Path]:
    """Write grades.csv, feedback.csv, problems.csv, report.html, the LMS grade imports and feedback/.

    ``jobs``: processes rendering feedback pages (default: the CPU count, at most 4).
    """
    try:
        return _write_outputs(result, out, item, jobs if jobs is not None else min(4, os.cpu_count() or 1))
    except OSError as error:
        raise QuizgenError(f"cannot write the outputs: {error.strerror or error}", Location(file=str(error.filename or out))) from None


def _write_outputs(result: GradingResult, out: Path, item: str | None, jobs: int) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    name = item or result.exam.title or "quizgen"
    with no_cyclic_gc():
        pages = _Pages(result, out / PAGES_DIR, jobs)  # forks first: helpers start while the files below are made
        contents = {
            "grades.csv": grades_csv(result),
            "feedback.csv": feedback_csv(result),
            "problems.csv": problems_csv(result),
            "report.html": report_page(result),
            "moodle_grades.csv": moodle_import_csv(result, name),
            "canvas_grades.csv": canvas_import_csv(result, name),
        }
        written = []
        mode = 0o666 & ~_umask()
        for file, text in contents.items():
            write_text_atomic(out / file, text)
            os.chmod(out / file, mode)  # atomic writes come from mkstemp, which makes files private
            written.append(out / file)
        pages.finish()
    written.append(out / PAGES_DIR)
    return written
