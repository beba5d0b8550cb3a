"""Writing an export's questions in two processes (issue 15: a 3000-question Moodle export spends most
of its time writing questions, each on its own: its text, code, diagram and answers).

`in_two` writes the first half of the items here and the second half in a forked copy of this
process, which hands its strings back through a pipe. Writing is a pure function of each item, so
the strings are the same either way. Whatever goes wrong in the copy (an error in a question, a
signal, a broken pipe), this process writes that half itself, so an error is raised here, the same
one as when writing in one process; and nothing but the strings ever leaves the copy (it ends with
``os._exit``: no buffered output is flushed twice, no exit handler runs). A copy whose parent was killed
outright stops at its next question.
"""

from __future__ import annotations

__all__ = ["in_two", "in_two_text", "spare_cores"]

import contextlib
import os
import pickle
import signal
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..cores import can_fork, spare_processes, usable_cores

T = TypeVar("T")
R = TypeVar("R")
_MIN_ITEMS = 64  # below this, forking costs more than it saves


def spare_cores() -> int:
    """The jobs an export should use: 2 when it may use two cores and the last minute left one of them idle
    (cores.spare_processes, the rule generate's page helpers follow), else 1; the bytes are the same either way."""
    return min(2, spare_processes(usable_cores()))


def in_two(items: Sequence[T], write: Callable[[T], R], *, jobs: int = 1, minimum: int = _MIN_ITEMS) -> list[R]:
    """``[write(item) for item in items]``, the second half in a forked process when ``jobs`` > 1 and there are
    ``minimum`` items at least (what ``write`` gives must pickle: strings, bytes, tuples of them)."""
    if jobs < 2 or len(items) < minimum or not can_fork():
        return [write(item) for item in items]
    half = len(items) // 2
    try:
        reading, writing = os.pipe()
    except OSError:
        return [write(item) for item in items]
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:  # no more processes allowed, no memory for the copy: all here, as with one core
        os.close(reading)
        os.close(writing)
        return [write(item) for item in items]
    if pid == 0:  # the copy: write the second half, hand it back, and leave without any clean-up of this process
        code = 1
        try:
            os.close(reading)
            written = []
            for item in items[half:]:
                if os.getppid() != parent:  # the parent was killed outright: nobody wants the rest
                    break
                written.append(write(item))
            data = pickle.dumps(written, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(writing, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:  # noqa: S110 - the parent writes this half itself and raises what it raises
            pass
        finally:
            os._exit(code)
    os.close(writing)
    done = False
    try:
        with os.fdopen(reading, "rb") as pipe:
            first = [write(item) for item in items[:half]]
            data = pipe.read()
        done = True
        _, status = os.waitpid(pid, 0)
        second = pickle.loads(data) if status == 0 and data else None  # noqa: S301 - our own fork's strings
        if not isinstance(second, list) or len(second) != len(items) - half:
            second = [write(item) for item in items[half:]]
        return first + second
    finally:
        if not done:  # an error or Ctrl-C here: the copy's half is not wanted
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


class _OrphanedError(Exception):
    pass


def in_two_text(items: Sequence[T], write: Callable[[T], str], *, jobs: int = 1, head: bytes = b"", tail: bytes = b"") -> bytes:
    """``"".join(write(item) for item in items)`` in UTF-8, the second half written, joined and encoded in the
    forked copy (`in_two`): a 3000-question Moodle file is 22 MB, and handing it back as one block of bytes
    spares this process unpickling, joining and encoding the copy's half (UTF-8 of a concatenation is the
    concatenation of the UTF-8s). ``head`` and ``tail`` go around it, put together in one copy of 22 MB."""
    if jobs < 2 or len(items) < _MIN_ITEMS:
        return b"".join([head, "".join([write(item) for item in items]).encode(), tail])
    parent = os.getpid()

    def written(part: Sequence[T]) -> bytes:
        texts = []
        for item in part:
            if os.getpid() != parent and os.getppid() != parent:  # the copy, whose parent was killed outright
                raise _OrphanedError
            texts.append(write(item))
        return "".join(texts).encode()

    half = len(items) // 2
    first, second = in_two([items[:half], items[half:]], written, jobs=jobs, minimum=2)
    return b"".join([head, first, second, tail])
