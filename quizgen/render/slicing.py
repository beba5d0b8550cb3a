"""Which students a render covers (``--shard i/n``) and the file name each one gets.

Shards are contiguous slices of the roster in roster order, so shard outputs concatenated in
shard order are the class in roster order, and every shard of a batch job (Slurm array,
Kubernetes indexed job, GNU parallel) writes distinct files into the same directory.
"""

from __future__ import annotations

__all__ = ["Shard", "ShardError", "parse_shard", "safe_names"]

import re
from dataclasses import dataclass

from ..errors import QuizgenError
from ..filenames import safe_names  # re-exported: the render package's name for it

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


class ShardError(QuizgenError):
    """--shard is not of the form i/n with 1 ≤ i ≤ n (a usage error)."""


@dataclass(frozen=True, slots=True)
class Shard:
    index: int  # 1-based
    count: int

    def slice(self, total: int) -> range:
        """The roster positions of this shard: as even as possible, earlier shards never smaller."""
        return range((self.index - 1) * total // self.count, self.index * total // self.count)

    @property
    def suffix(self) -> str:
        """File name suffix of the shard's combined PDFs: class-02-of-10.pdf sorts in shard order."""
        width = len(str(self.count))
        return f"-{self.index:0{width}d}-of-{self.count}"


def parse_shard(text: str | None) -> Shard | None:
    if text is None:
        return None
    match = _SHARD.fullmatch(text)
    if not match:
        raise ShardError(f"shard must look like i/n (for example 2/8), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"shard {text}: need 1 ≤ i ≤ n, counting shards from 1")
    return Shard(index, count)
