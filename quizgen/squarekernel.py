"""The square-kernel shorthand of formula questions: K for every side of a square kernel.

Kept apart from quizgen.questions, which builds questions with the mistake engine: the grader
needs these two names only, and importing the question builder would cost `quizgen grade` the
whole generation stack.
"""

from __future__ import annotations

__all__ = ["SQUARE_KERNEL", "square_kernel_names"]

from collections.abc import Iterable, Mapping
from typing import Any

# The one name a student may use for every side of a square kernel (k² c_in + 1 reads naturally).
SQUARE_KERNEL = "K"


def square_kernel_names(symbols: Iterable[str], values: Mapping[str, Any]) -> tuple[str, ...]:
    """The kernel-side symbols (K_h, K_w, K_d) when there are several and all are equal, else ()."""
    sides = tuple(n for n in symbols if n.startswith(SQUARE_KERNEL + "_"))
    if len(sides) < 2 or SQUARE_KERNEL in symbols or len({values.get(n) for n in sides}) != 1:
        return ()
    return sides
