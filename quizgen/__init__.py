"""quizgen: randomized, exactly solved exercises on neural-network layers."""

from __future__ import annotations

__version__ = "0.1.0"

from .errors import QuizgenError, SpecError
from .solver import LayerSolution, ModelSolution, solve
from .spec import Framework, LayerSpec, NetworkSpec, load_spec, parse_spec

__all__ = [
    "Framework",
    "LayerSolution",
    "LayerSpec",
    "ModelSolution",
    "NetworkSpec",
    "QuizgenError",
    "SpecError",
    "__version__",
    "load_spec",
    "parse_spec",
    "solve",
]
