"""Keras preprocessing layers that sit inside models: ``Rescaling(1.0 / 255)`` opens the Keras
tutorials' image models. No weights, 0 MACs, the shape is kept.
"""

from __future__ import annotations

__all__: list[str] = []

from ..spec import Framework
from . import register
from .base import ANY, REQUIRED, Args, LayerKind, LayerOutcome, Shape, keras_common, outcome


def _rescaling() -> LayerKind:
    table = {**keras_common(), "scale": (ANY, REQUIRED), "offset": (ANY, 0.0)}

    def solve(a: Args, shape: Shape) -> LayerOutcome:
        return outcome({}, shape)

    return LayerKind(Framework.KERAS, "Rescaling", "activation", table, solve, positional=("scale", "offset"))


register(_rescaling())
