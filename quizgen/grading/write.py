"""Write every output of a grading run into one directory, atomically and reproducibly.

Every file is written to a temporary name and renamed into place, so a reader (or a crash)
never sees half a file. Feedback pages go through pagewriter: in a helper process for a large
class (it renders and writes them on another core while this one describes the next pages),
here for a small one; both give the same bytes. grades.csv, feedback.csv and report.html are made
from the pages' descriptions on the same side (spectables), so the helper writes them too. Pages whose
bytes are already on disk are left alone, and no other file is ever removed.
"""

from __future__ import annotations

__all__ = ["OUTPUT_FILES", "PageStream", "grade_and_write", "page_names", "write_outputs"]

import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from ..atomic import write_text_atomic
from ..errors import Location, QuizgenError
from ..exam import Exam
from ..filenames import safe_names
from .engine import grade_responses
from .feedback import PageModel, PageRenderer, PageSpec
from .gcpause import no_cyclic_gc
from .model import GradingOptions, GradingResult, ResponseTable, StudentGrade
from .pagewriter import write_pages, write_tables
from .report import ReportContext, report_page
from .spectables import SpecTables
from .tables import canvas_import_csv, feedback_csv, grades_csv, moodle_import_csv, problems_csv

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

OUTPUT_FILES = ("grades.csv", "feedback.csv", "problems.csv", "report.html", "moodle_grades.csv", "canvas_grades.csv")
PAGES_DIR = "feedback"
HELPER_MIN_PAGES = 300  # from this many pages on, a helper process renders and writes them
_BATCH = 64  # pages per message to the helper


def page_names(exam: Exam) -> list[str]:
    """Each student's page file name: the stem of the student's worksheets (quizgen.filenames)."""
    return [f"{stem}.html" for stem in safe_names([v.student_id for v in exam.variants])]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _widen_pipe(stream: IO[bytes] | None) -> None:
    """Linux pipes hold 64 KiB: any pause of the helper would stall the grader. Ask for 1 MiB where
    the system allows it; elsewhere the default works, only with more waiting."""
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or setpipe is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(stream.fileno(), setpipe, 1 << 20)


class _Helper:
    """The pagewriter process and the pipe to it."""

    def __init__(self, target: Path, mode: int, lang: str, title: str, tables: tuple[Path, list[str]] | None) -> None:
        self.target = target
        self.what = "the feedback pages" if tables is None else "the feedback pages, grades.csv, feedback.csv or report.html"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p or str(Path.cwd()) for p in sys.path)}  # import this same quizgen
        self.process = subprocess.Popen([sys.executable, "-m", "quizgen.grading.pagewriter", str(target), oct(mode)[2:]],
                                        stdin=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        _widen_pipe(self.process.stdin)
        self.send(("init", lang, title, None if tables is None else (str(tables[0]), tables[1])))

    def send(self, message: object) -> None:
        assert self.process.stdin is not None
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            self.close()  # raises the helper's own error

    def close(self) -> None:
        process = self.process
        try:
            _, errors = process.communicate()
        except BrokenPipeError:
            errors = process.stderr.read() if process.stderr else b""
            process.wait()
        if process.returncode:
            message = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
            # The helper's last line names the file it could not write; this says which files it writes.
            raise QuizgenError(f"cannot write {self.what}: {message[0]}", Location(file=str(self.target)))


class PageStream:
    """Feedback pages, written as students are graded (pass ``add`` to grade_responses as on_student).

    With many students a helper process renders and writes the pages while grading goes on, so
    the two overlap on two cores; with few, pages are written here. Given ``tables`` (a folder),
    grades.csv, feedback.csv and report.html are made from the pages' descriptions and written there
    too (see spectables), by the helper when there is one. ``finish`` waits for the helper. Use it as a
    context manager.
    """

    def __init__(self, exam: Exam, target: Path, lang: str, tables: Path | None = None) -> None:
        self.target = target
        self.tables = tables
        target.mkdir(parents=True, exist_ok=True)
        self.names = page_names(exam)
        self.model = PageModel(lang)
        self.mode = 0o666 & ~_umask()
        self.next = 0
        self.batch: list[tuple[str, PageSpec]] = []
        self.helper: _Helper | None = None
        self.renderer: PageRenderer | None = None
        self.spec_tables: SpecTables | None = None
        self.ended = False
        ids = list(dict.fromkeys(q.id for v in exam.variants for q in v.questions))  # as tables.question_ids
        if len(self.names) >= HELPER_MIN_PAGES:
            self.helper = _Helper(target, self.mode, lang, exam.title, None if tables is None else (tables, ids))
        else:
            self.renderer = PageRenderer(lang, exam.title)
            self.spec_tables = None if tables is None else SpecTables(ids)

    def add(self, student: StudentGrade) -> None:
        """The next student's page (students come in key order)."""
        name = self.names[self.next]
        self.next += 1
        self.batch.append((name, self.model.spec(student)))
        if len(self.batch) == _BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        if self.helper is not None:
            self.helper.send(batch)
        elif self.renderer is not None:
            write_pages(self.renderer, self.target, self.mode, batch)
            if self.spec_tables is not None:
                for _, spec in batch:
                    self.spec_tables.add(spec)

    def end(self, report: ReportContext | None = None) -> None:
        """Send the last pages (and, given the report's context, have the tables and the report written);
        a helper goes on with them while this process does other work. ``finish`` waits."""
        if self.next != len(self.names):
            raise ValueError(f"{self.next} pages were added for {len(self.names)} students")
        self._flush()
        if self.tables is not None and report is None:
            raise ValueError("the report's context is needed to write the tables and the report")
        if report is not None and self.tables is not None:  # only now: a run that failed half way writes none of them
            if self.helper is not None:
                self.helper.send(("finish", report))
            elif self.spec_tables is not None:
                write_tables(self.tables, self.mode, self.spec_tables, report)
        self.ended = True

    def finish(self, report: ReportContext | None = None) -> None:
        """``end`` (unless done), then wait for the helper."""
        if not self.ended:
            self.end(report)
        self.close()
        # Nothing else in the folder is removed here: it may hold files quizgen did not write (another
        # section's pages, the user's own). Pages of an earlier run that this one does not rewrite are
        # removed by quizgen.outdir, which knows which files quizgen wrote (`quizgen grade` stages a run).

    def close(self) -> None:
        helper, self.helper = self.helper, None
        if helper is not None:
            helper.close()

    def __enter__(self) -> PageStream:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.close()
            return
        with contextlib.suppress(QuizgenError):  # the error already raised is the one to report
            self.close()


def _os_errors(out: Path) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def wrap() -> Iterator[None]:
        try:
            yield
        except OSError as error:
            where = Location(file=str(error.filename or out))
            raise QuizgenError(f"cannot write the outputs: {error.strerror or error}", where) from None

    return wrap()


def write_outputs(result: GradingResult, out: Path, *, item: str | None = None, pages: PageStream | None = None) -> list[Path]:
    """Write grades.csv, feedback.csv, problems.csv, report.html, the LMS grade imports and feedback/.

    ``pages``: a PageStream already fed every student while grading (grade_and_write does that).
    """
    with _os_errors(out):
        out.mkdir(parents=True, exist_ok=True)
        if pages is None:
            with PageStream(result.exam, out / PAGES_DIR, result.options.lang, out) as stream, no_cyclic_gc():
                for student in result.students:
                    stream.add(student)
                return _write_files(result, out, item, stream)
        return _write_files(result, out, item, pages)


def grade_and_write(exam: Exam, table: ResponseTable, out: Path, options: GradingOptions, *,
                    overrides: Sequence[tuple[str, str]] = (), item: str | None = None) -> GradingResult:
    """Grade and write every output, rendering feedback pages while the grading goes on."""
    # Grading and writing make no cycles to collect (see gcpause). The pages' descriptions are gone
    # when the collector resumes, so its first pass does not walk them.
    with _os_errors(out), no_cyclic_gc():
        return _grade_and_write(exam, table, out, options, overrides, item)


def _grade_and_write(exam: Exam, table: ResponseTable, out: Path, options: GradingOptions, overrides: Sequence[tuple[str, str]],
                     item: str | None) -> GradingResult:
    out.mkdir(parents=True, exist_ok=True)
    with PageStream(exam, out / PAGES_DIR, options.lang, out) as pages:
        result = grade_responses(exam, table, options, overrides, on_student=pages.add)
        _write_files(result, out, item, pages)
    return result


def _write_files(result: GradingResult, out: Path, item: str | None, pages: PageStream) -> list[Path]:
    name = item or result.exam.title or "quizgen"
    with no_cyclic_gc():
        # grades.csv, feedback.csv and report.html come from the pages' descriptions when the stream makes them
        # (spectables): the helper makes them while this process writes the others.
        made = pages.tables == out
        if made:
            pages.end(ReportContext.of(result))
        contents = {
            "grades.csv": None if made else grades_csv(result),
            "feedback.csv": None if made else feedback_csv(result),
            "problems.csv": problems_csv(result),
            "report.html": None if made else report_page(result),
            "moodle_grades.csv": moodle_import_csv(result, name),
            "canvas_grades.csv": canvas_import_csv(result, name),
        }
        written = []
        mode = 0o666 & ~_umask()
        for file, text in contents.items():
            if text is not None:
                write_text_atomic(out / file, text)
                (out / file).chmod(mode)  # atomic writes come from mkstemp, which makes files private
            written.append(out / file)
        pages.finish()
    written.append(out / PAGES_DIR)
    return written
