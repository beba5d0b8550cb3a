"""Share a run of per-student work (the HTML pages) between this process and forked helpers.

A class set's pages are pure Python (views, Jinja, typesetting) plus the kernel's time to write
some 30 MB, about 0.8 s for 300 students, and a Python thread cannot overlap it with anything
(the GIL). A forked helper can: it starts with the exam, the solutions and the compiled
templates already in memory, and runs on the other core. (The grader's page writer,
quizgen/grading/pagewriter.py, starts a fresh interpreter instead, because it is fed while the
grading goes on and a fork would copy the grader's growing heap; here the work starts only
once everything it needs is built.)

The students are cut into chunks whose start positions wait in a pipe. Every process takes the
next one until the pipe is empty; this process first does its own job (``alongside``:
`generate` writes key.json meanwhile), so a busy process simply takes fewer chunks. A page
depends only on its student, so the files are the same bytes whichever process wrote them.

Errors: a helper that fails exits with status 1 and prints nothing; this process then stops the
other helpers and does all the work again itself, in order, so the error a user sees is exactly
the one the single-process run gives (and a helper killed from outside costs time, not pages).
An error or Ctrl-C in this process kills the helpers and waits for them before it goes on, so
no helper writes into the output folder after `OutputRun` has thrown its stage away.
"""

from __future__ import annotations

__all__ = ["FORK_MIN", "share_work", "spare_processes"]

import contextlib
import gc
import os
import signal
import struct
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

from ..cores import can_fork, spare_processes

FORK_MIN = 8  # items: fewer are done here, as a fork costs more than they take
_CHUNKS_PER_PROCESS = 16  # small enough to even out, large enough that taking one costs nothing
_MAX_CHUNKS = 1024
_RECORD = struct.Struct("<I")


def _chunks(count: int, processes: int) -> list[tuple[int, int]]:
    # At most _MAX_CHUNKS: their numbers must all fit in the pipe before anyone reads (64 KiB on Linux).
    size = max(1, -(-count // min(processes * _CHUNKS_PER_PROCESS, _MAX_CHUNKS)))
    return [(start, min(count, start + size)) for start in range(0, count, size)]


def _take(queue: int, parent: int | None = None) -> Iterator[int]:
    """Chunk numbers from the pipe until it is empty (each record is read whole: all were written
    before any process reads, and a pipe read of a few bytes is never split). A helper also stops
    when ``parent`` is gone (killed outright, as by SIGKILL or SIGTERM): its stage is then orphaned."""
    while (parent is None or os.getppid() == parent) and (record := os.read(queue, _RECORD.size)):
        yield _RECORD.unpack(record)[0]


def _helper(queue: int, parent: int, chunks: list[tuple[int, int]], work: Callable[[int, int], None]) -> NoReturn:
    """The forked helper's whole life: it never returns into the caller's code (no `finally` or
    `with` of the parent runs twice, no buffered output is printed twice)."""
    status = 1
    try:
        gc.freeze()  # the collector would otherwise touch, and so copy, every page of the parent's heap
        for index in _take(queue, parent):
            work(*chunks[index])
        status = 0
    except BaseException:  # reported by the exit status; the parent redoes the work and says why
        status = 1
    finally:
        os._exit(status)


def _stop(helpers: list[int]) -> None:
    for pid in helpers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    for pid in helpers:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    helpers.clear()


def share_work(count: int, work: Callable[[int, int], None], *, processes: int,
               alongside: Callable[[], None] | None = None) -> None:
    """Call ``work(start, stop)`` over ``range(count)`` in chunks, in up to ``processes`` processes
    (this one and forked helpers), and ``alongside()`` once in this process, first.

    With one process, too few items or no fork, it is simply ``alongside()`` then ``work(0, count)``.
    """
    queue = None
    if processes >= 2 and count >= FORK_MIN and can_fork():
        with contextlib.suppress(OSError):  # no file descriptor left: all in this process
            queue = os.pipe()
    if queue is None:
        if alongside is not None:
            alongside()
        work(0, count)
        return
    chunks = _chunks(count, processes)
    read_end, write_end = queue
    helpers: list[int] = []
    failed = False
    try:
        with os.fdopen(write_end, "wb") as pipe:  # at most a few hundred bytes: the pipe holds them all
            pipe.write(b"".join(_RECORD.pack(i) for i in range(len(chunks))))
        for sys_stream in (sys.stdout, sys.stderr):
            sys_stream.flush()
        me = os.getpid()
        for _ in range(min(processes, len(chunks)) - 1):
            try:
                pid = os.fork()
            except OSError:  # no more processes or memory now: this process (and the helpers it has) do the rest
                break
            if pid == 0:
                _helper(read_end, me, chunks, work)
            helpers.append(pid)
        if alongside is not None:
            alongside()
        try:
            for index in _take(read_end):
                work(*chunks[index])
        except Exception:  # done again below, in order, where it raises as it would alone
            failed = True
            _stop(helpers)
        while helpers:
            pid = helpers.pop()
            _, status = os.waitpid(pid, 0)
            failed = failed or os.waitstatus_to_exitcode(status) != 0
    finally:
        _stop(helpers)  # an error in alongside() or a Ctrl-C: no helper outlives this call
        os.close(read_end)
    if failed:
        work(0, count)
