"""Which template the drill asks next: kinds the student gets wrong come back more often.

Every kind of question keeps a miss count: a known mistake, a wrong answer or a skip adds one,
a right answer takes one away. A template's chance is proportional to ``1 + BOOST · misses``
of its kind, so after two misses on output shapes a shape question is five times as likely
as a kind the student has mastered, and it fades back once they get it right. The template
just asked is not asked again at once when there is any other.
"""

from __future__ import annotations

__all__ = ["BOOST", "MAX_MISSES", "Scheduler"]

import random
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from ..exam import QuestionKind

BOOST = 2.0
MAX_MISSES = 5  # a long bad streak should not crowd out every other kind for ever


class _HasKind(Protocol):
    @property
    def kind(self) -> QuestionKind: ...


T = TypeVar("T", bound=_HasKind)


class Scheduler(Generic[T]):
    def __init__(self, items: Sequence[T], rng: random.Random) -> None:
        if not items:
            raise ValueError("nothing to schedule")
        self.items = list(items)
        self.rng = rng
        self.misses: dict[QuestionKind, int] = {}
        self.last: T | None = None

    def weight(self, item: T) -> float:
        return 1.0 + BOOST * self.misses.get(item.kind, 0)

    def pick(self) -> T:
        pool = [item for item in self.items if item is not self.last] or self.items
        chosen = self.rng.choices(pool, weights=[self.weight(item) for item in pool])[0]
        self.last = chosen
        return chosen

    def record(self, kind: QuestionKind, missed: bool) -> None:
        count = self.misses.get(kind, 0)
        self.misses[kind] = min(MAX_MISSES, count + 1) if missed else max(0, count - 1)

    def remove(self, item: T) -> None:
        """Drop an item that cannot produce a question (the caller says so on screen)."""
        self.items = [i for i in self.items if i is not item]
        if self.last is item:
            self.last = None

    def __len__(self) -> int:
        return len(self.items)
