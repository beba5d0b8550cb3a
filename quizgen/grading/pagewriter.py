"""Render and write feedback pages, in this process or in a helper process of its own.

Rendering thousands of pages is pure Python, and a Python thread cannot overlap it with the
grader's other work (the GIL; measured slower), while a forked helper pays copy-on-write for the
grader's large heap (also measured slower). A fresh interpreter can: the grader sends it plain
page descriptions (`feedback.PageSpec`, pickled over its standard input, only between our own
two processes) and goes on with the next ones while this process renders and writes the files
on another core.

Every file is written to a temporary name and renamed into place, so a reader (or a crash)
never sees half a file, and a file whose bytes are already there is left alone, so re-runs with
the same inputs rewrite nothing (creating and deleting files is slow on some file systems).

Run as ``python -m quizgen.grading.pagewriter DIRECTORY MODE``; errors go to stderr, exit code 1.
"""

from __future__ import annotations

__all__ = ["StreamedFile", "main", "serve", "write_if_changed", "write_pages", "write_tables"]

import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from ..atomic import write_text_atomic
from .feedback import PageRenderer, PageSpec
from .report import ReportContext
from .spectables import SpecTables


def write_if_changed(path: Path, data: bytes, mode: int) -> None:
    """Atomic and idempotent: a reader never sees half a file; equal bytes are not rewritten."""
    try:
        with path.open("rb") as handle:
            if handle.read(len(data) + 1) == data:
                return
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_pages(renderer: PageRenderer, directory: Path, mode: int, pages: list[tuple[str, PageSpec]]) -> None:
    for name, spec in pages:
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ValueError(f"refusing to write {name!r}: not a plain file name")
        write_if_changed(directory / name, renderer.render(spec).encode("utf-8"), mode)


def write_tables(folder: Path, mode: int, tables: SpecTables, context: ReportContext) -> None:
    """grades.csv, feedback.csv and report.html, atomically, with the mode of the grader's other files."""
    for name, text in tables.texts(context).items():
        write_text_atomic(folder / name, text)
        (folder / name).chmod(mode)  # atomic writes come from mkstemp, which makes files private


class StreamedFile:
    """A file written as its text comes, under a temporary name in its folder, renamed into place by
    ``commit`` (a reader never sees half of it) and removed by ``discard``. feedback.csv (30 MB for 10,000
    students) is encoded and written while pages stream in, not all at once after the last one."""

    def __init__(self, path: Path, mode: int) -> None:
        self.path = path
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        self.tmp = Path(name)
        try:
            os.fchmod(fd, mode)
            self.handle = os.fdopen(fd, "wb", buffering=1 << 20)
        except BaseException:
            os.close(fd)
            self.tmp.unlink(missing_ok=True)
            raise

    def write(self, text: str) -> None:
        self.handle.write(text.encode("utf-8"))

    def commit(self) -> None:
        self.handle.close()
        self.tmp.replace(self.path)

    def discard(self) -> None:
        self.handle.close()
        self.tmp.unlink(missing_ok=True)


def serve(directory: Path, mode: int, stream: BinaryIO) -> None:
    """Read ("init", lang, title, tables), then lists of (file name, PageSpec) until the end of the stream.

    ``tables``: None, or (folder, question ids): grades.csv, feedback.csv and report.html are made from
    the pages' specs and written to the folder when the ("finish", report.ReportContext) message comes
    (a run that failed half way sends none, and gets none of them).
    """
    kind, lang, title, table_args = pickle.load(stream)  # noqa: S301 -- written by the grader that started this process
    if kind != "init":
        raise ValueError(f"expected the init message, got {kind!r}")
    renderer = PageRenderer(lang, title)
    feedback = None if table_args is None else StreamedFile(Path(table_args[0]) / "feedback.csv", mode)
    try:
        tables = None if feedback is None else SpecTables(table_args[1], feedback.write)
        while True:
            try:
                pages = pickle.load(stream)  # noqa: S301 -- as above
            except EOFError:
                return
            if isinstance(pages, tuple) and pages[0] == "finish":
                if tables is not None and feedback is not None:
                    write_tables(Path(table_args[0]), mode, tables, pages[1])
                    feedback.commit()
                    feedback = None
                continue
            write_pages(renderer, directory, mode, pages)
            if tables is not None:
                for _, spec in pages:
                    tables.add(spec)
    finally:
        if feedback is not None:  # no finish came (or writing failed): no half feedback.csv, no temporary file
            feedback.discard()


def main(argv: list[str]) -> int:
    try:
        serve(Path(argv[0]), int(argv[1], 8), sys.stdin.buffer)
    except Exception as error:  # reported to the grader, which raises it as a QuizgenError
        sys.stderr.write(f"{type(error).__name__}: {error}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
