"""quizgen: randomized, exactly solved exercises on neural-network layers."""

from __future__ import annotations

__version__ = "0.1.0"

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
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

# The public API is imported on first use, so `quizgen --version` and every submodule import
# (quizgen.errors, quizgen.cli, ...) do not pay for the solver and the layer registry.
_HOMES = {"QuizgenError": "errors", "SpecError": "errors", "LayerSolution": "solver", "ModelSolution": "solver", "solve": "solver",
          "Framework": "spec", "LayerSpec": "spec", "NetworkSpec": "spec", "load_spec": "spec", "parse_spec": "spec"}


__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
