"""``torch.narrow``: a slice of one dimension, as model code writes ``x[:, :c]`` or ``x[:, c:]``
(ShuffleNetV2 splits the channels this way). No parameters, 0 MACs; ``dim`` counts the batch
as the code does, and a slice of the batch itself is refused.
"""

from __future__ import annotations

__all__: list[str] = []

from ..spec import Framework
from . import register
from .base import REQUIRED, ArgError, Args, LayerKind, LayerOutcome, Shape, outcome
from .simple import Int


def _narrow() -> LayerKind:
    table = {"dim": (Int, REQUIRED), "start": (Int, REQUIRED), "length": (Int, REQUIRED)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        rank = len(shape) + 1
        dim = a["dim"] + rank if a["dim"] < 0 else a["dim"]
        if not 1 <= dim < rank:
            raise ArgError(f"dim={a['dim']} is the batch dimension or out of range for inputs of rank {rank} (batch included)")
        size = shape[dim - 1]
        start = a["start"] + size if size is not None and a["start"] < 0 else a["start"]
        if a["length"] < 1 or start < 0 or (size is not None and start + a["length"] > size):
            raise ArgError(f"start={a['start']} and length={a['length']} do not fit in dimension {a['dim']} of size {size}")
        out = list(shape)
        out[dim - 1] = a["length"]
        return outcome({}, tuple(out))

    return LayerKind(Framework.PYTORCH, "torch.narrow", "reshape", table, solve, positional=("dim", "start", "length"))


register(_narrow())
