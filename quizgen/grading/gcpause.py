"""Pausing the cyclic garbage collector around the grader's bulk work.

Grading, reading and writing allocate hundreds of thousands of small acyclic objects next to a
large key (a key for 10,000 students holds millions of objects). Each full collection walks
the whole key, and those passes were a large share of the run time. Reference counting still
frees everything; the collector resumes afterwards.

That holds only while the run makes no reference cycles. An exception kept as a value (the
grader caches parse errors per text) holds its traceback, whose frames hold the exception and
the grader: a cycle that kept the whole grader and its caches alive until the collector's next
pass, which then walked them (0.25 s after each bench_grade run). `detached` drops the traceback.
"""

from __future__ import annotations

__all__ = ["detached", "no_cyclic_gc"]

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

_E = TypeVar("_E", bound=BaseException)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def detached(error: _E) -> _E:
    """``error`` (and the errors it was raised from or while handling) without tracebacks, to be kept as a value."""
    seen: BaseException | None = error
    while seen is not None:
        seen.__traceback__ = None
        seen = seen.__cause__ or seen.__context__
    return error
